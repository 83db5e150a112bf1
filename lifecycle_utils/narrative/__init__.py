"""Stakeholder text generated from results: every sentence that states a figure or a judgement of the
data is built here from the table or record it interprets, so it is true for whatever data a notebook
runs on. :mod:`~lifecycle_utils.narrative.words` writes numbers and Markdown; one module per notebook
holds its sentences, its Answer line and its "What this means" (from the recorded headline figures,
which the report index reads through :func:`answer` too)."""

from lifecycle_utils.narrative import answers, clv, overview, rfm, stages, strategy, survival, words
from lifecycle_utils.narrative.words import *  # noqa: F403  (the layer's __all__)

# each notebook's narrative module, by notebook file stem: its Answer line (``answer``) and, once a
# notebook closes with generated text, its "What this means" (``what_this_means``)
NOTEBOOKS = {
    "00_data_overview": overview,
    "01_stage_definition": stages,
    "02_churn_survival": survival,
    "03_rfm_segmentation": rfm,
    "04_clv_estimation": clv,
    "05_strategy_comparison": strategy,
}
# the Answer line of every notebook, by notebook file stem
ANSWERS = {stem: module.answer for stem, module in NOTEBOOKS.items()}
heading = answers.heading


def answer(notebook: str, figures: dict) -> words.Text | None:
    """The Answer line of ``notebook`` (a file stem such as ``"00_data_overview"``) from its recorded
    figures, or ``None`` for a notebook it does not know. The report index shows the same line."""
    build = ANSWERS.get(notebook)
    return build(figures) if build is not None else None


def closing(notebook: str, figures: dict) -> words.Text:
    """A notebook's closing text from its recorded figures: the Answer line, then "What this means"."""
    module = NOTEBOOKS[notebook]
    return words.Text(f"{module.answer(figures)}\n\n{module.what_this_means(figures)}")


__all__ = [
    "NOTEBOOKS",
    "ANSWERS",
    "answer",
    "closing",
    "heading",
    "answers",
    "overview",
    "stages",
    "survival",
    "rfm",
    "clv",
    "strategy",
    *words.__all__,
]
