"""Reference accuracies for bench/classify.ts: classical text classifiers from scikit-learn fitted on a
training CSV and scored on a test CSV (the same files the rnn models see).

  python3 scripts/classify_baselines.py train.csv test.csv --text sentence --label label

Prints one JSON object: {"<baseline>": {"accuracy": a, "macro_f1": f}, ...}. Needs Debian's python3-sklearn.
"""
import argparse
import csv
import json

from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.naive_bayes import MultinomialNB
from sklearn.pipeline import make_pipeline


def read(path, text, label):
    with open(path, newline='', encoding='utf-8') as f:
        rows = list(csv.DictReader(f))
    return [r[text] for r in rows], [r[label] for r in rows]


def main():
    p = argparse.ArgumentParser()
    p.add_argument('train')
    p.add_argument('test')
    p.add_argument('--text', default='sentence')
    p.add_argument('--label', default='label')
    a = p.parse_args()
    xs, ys = read(a.train, a.text, a.label)
    xt, yt = read(a.test, a.text, a.label)
    models = {
        # the same model as rnn eval's own naive Bayes: lowercased word counts, Laplace smoothing
        'naive_bayes_words': make_pipeline(CountVectorizer(lowercase=True, token_pattern=r'[a-z0-9]+'), MultinomialNB(alpha=1.0)),
        # the stronger classical anchor named in the issue: tf-idf of character 1-4-grams, logistic regression
        'logreg_char_1_4': make_pipeline(TfidfVectorizer(analyzer='char_wb', ngram_range=(1, 4), sublinear_tf=True),
                                         LogisticRegression(C=10.0, max_iter=2000)),
    }
    out = {}
    for name, m in models.items():
        m.fit(xs, ys)
        pred = m.predict(xt)
        out[name] = {'accuracy': accuracy_score(yt, pred), 'macro_f1': f1_score(yt, pred, average='macro')}
    print(json.dumps(out))


if __name__ == '__main__':
    main()
