/**
 * The part of the WebAssembly JS API the engine uses. TypeScript ships these types only in lib.dom,
 * which this Node project does not include, and @types/node does not declare them.
 */
declare namespace WebAssembly {
  interface MemoryDescriptor { initial: number; maximum?: number; shared?: boolean }
  class Memory {
    constructor(descriptor: MemoryDescriptor)
    readonly buffer: ArrayBuffer
    grow(delta: number): number
  }
  class Module {
    constructor(bytes: ArrayBufferView | ArrayBuffer)
  }
  type Imports = Record<string, Record<string, unknown>>
  class Instance {
    constructor(module: Module, imports?: Imports)
    readonly exports: Record<string, unknown>
  }
  function validate(bytes: ArrayBufferView | ArrayBuffer): boolean
}
