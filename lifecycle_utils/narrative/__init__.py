"""Stakeholder text generated from results: every sentence that states a figure or a judgement of the
data is built here from the table or record it interprets, so it is true for whatever data a notebook
runs on. :mod:`~lifecycle_utils.narrative.words` writes numbers and Markdown; one module per notebook
holds its sentences, its Answer line and its "What this means" (from the recorded headline figures,
which the report index reads through :func:`answer` too)."""

from lifecycle_utils.narrative import answers, overview, strategy, words
from lifecycle_utils.narrative.words import *  # noqa: F403  (the layer's __all__)

# the notebooks whose Answer line and "What this means" are generated, by notebook file stem
NOTEBOOKS = {"00_data_overview": overview}
# the Answer line of every notebook, by notebook file stem
ANSWERS = {
    "00_data_overview": overview.answer,
    "01_stage_definition": answers.stages_answer,
    "02_churn_survival": answers.survival_answer,
    "03_rfm_segmentation": answers.rfm_answer,
    "04_clv_estimation": answers.clv_answer,
    "05_strategy_comparison": answers.strategy_answer,
}
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
    "strategy",
    *words.__all__,
]
