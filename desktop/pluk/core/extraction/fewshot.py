"""Few-shot example selection: the K worked examples most like a report, found with BM25.

Offline and deterministic: a small tokeniser (lower case, accents dropped, letters and digits,
Dutch and English function words left out) and Okapi BM25 over the example texts. Ties go to
the example listed first. Two ways to use it:

- per report (`ExampleIndex.chooser`): each report gets its own K nearest examples. They sit
  after the fixed instructions and field guide, so only that part of the prompt is reused
  from one report to the next.
- fixed (`ExampleIndex.representative`): one set of K examples for the whole run, those most
  like the reports on the whole, placed in the fixed prompt prefix that llama.cpp evaluates once.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence

from pluk.core.readers.reports import Report
from pluk.core.tasks.definition import Example

_WORD = re.compile(r"[^\W_]+")
STOPWORDS = frozenset(
    # Dutch
    "de het een en van in op te dat die is met voor zijn er aan als bij door maar om ook of "
    "uit tot naar dan nog wel niet geen wordt werd worden was zijn deze dit ze zij hij wij "
    "over onder na al ter "
    # English
    "the a an and of in on to that is with for are be by as at or from this was were it not "
    "no".split()
)


def words(text: str) -> list[str]:
    """Lower-case words and numbers without accents or function words; '3,5' gives 3 and 5."""
    folded = "".join(c for c in unicodedata.normalize("NFKD", text.casefold())
                     if not unicodedata.combining(c))
    return [w for w in _WORD.findall(folded) if w not in STOPWORDS]


class ExampleIndex:
    """BM25 (k1 = 1.5, b = 0.75) over the texts of a list of examples."""

    def __init__(self, examples: Sequence[Example], *, k1: float = 1.5, b: float = 0.75):
        self.examples = list(examples)
        self._k1, self._b = k1, b
        self._docs = [Counter(words(e.text)) for e in self.examples]
        self._lengths = [sum(d.values()) for d in self._docs]
        self._avg = (sum(self._lengths) / len(self._lengths)) if self._lengths else 0.0
        df = Counter(w for d in self._docs for w in d)
        n = len(self._docs)
        self._idf = {w: math.log(1 + (n - f + 0.5) / (f + 0.5)) for w, f in df.items()}

    def scores(self, text: str) -> list[float]:
        query = Counter(words(text))
        out = []
        for doc, length in zip(self._docs, self._lengths):
            norm = self._k1 * (1 - self._b + self._b * length / self._avg) if self._avg else 0
            out.append(sum(
                self._idf[w] * q * doc[w] * (self._k1 + 1) / (doc[w] + norm)
                for w, q in query.items() if w in doc))
        return out

    def nearest(self, text: str, k: int) -> list[Example]:
        """The k best examples for `text`, the best last (nearest to the report in the prompt);
        an example whose text is the report itself is never its own example."""
        scores = self.scores(text)
        ranked = sorted((i for i in range(len(self.examples)) if self.examples[i].text != text),
                        key=lambda i: (-scores[i], i))
        return [self.examples[i] for i in reversed(ranked[:k])]

    def representative(self, texts: Sequence[str], k: int) -> list[Example]:
        """One set of k examples for a whole run: the highest mean rank-normalised score over
        `texts`, so no single long report decides for all."""
        total = [0.0] * len(self.examples)
        for text in texts:
            scores = self.scores(text)
            top = max(scores, default=0.0)
            for i, s in enumerate(scores):
                total[i] += s / top if top > 0 else 0.0
        ranked = sorted(range(len(self.examples)), key=lambda i: (-total[i], i))
        return [self.examples[i] for i in reversed(ranked[:k])]

    def chooser(self, k: int) -> Callable[[Report], list[Example]]:
        """A `choose_examples` for run_extraction: the k nearest examples of each report."""
        return lambda report: self.nearest(report.text or "", k)
