"""Stakeholder text generated from results: every sentence that states a figure or a judgement of the
data is built here from the table or record it interprets, so it is true for whatever data a notebook
runs on. :mod:`~lifecycle_utils.narrative.words` writes numbers and Markdown; one module per notebook
holds its sentences, its Answer line and its "What this means" (from the recorded headline figures,
which the report index reads through :func:`answer` too)."""

from lifecycle_utils.narrative import overview, strategy, words
from lifecycle_utils.narrative.words import *  # noqa: F403  (the layer's __all__)

# the notebooks whose Answer line and "What this means" are generated, by notebook file stem
NOTEBOOKS = {"00_data_overview": overview}


def answer(notebook: str, figures: dict) -> words.Text | None:
    """The Answer line of ``notebook`` (a file stem such as ``"00_data_overview"``) from its recorded
    figures, or ``None`` where it is not generated yet. The report index shows the same line."""
    module = NOTEBOOKS.get(notebook)
    return module.answer(figures) if module is not None else None


def closing(notebook: str, figures: dict) -> words.Text:
    """A notebook's closing text from its recorded figures: the Answer line, then "What this means"."""
    module = NOTEBOOKS[notebook]
    return words.Text(f"{module.answer(figures)}\n\n{module.what_this_means(figures)}")


__all__ = ["NOTEBOOKS", "answer", "closing", "overview", "strategy", *words.__all__]
