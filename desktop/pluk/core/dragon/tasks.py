"""The DRAGON task registry: for each task, its label field, prediction field, metric and epsilon.

Covers the 28 benchmark tasks (Task001..Task028) and the 9 synthetic example tasks
(Task101..Task109) of dragon_eval, from docs/dragon.md §1 and §4. The label field is the
`label_name` of the task's `nlp-task-configuration.json`; everything else about a task's type
(single/multi-label, the JSON shape of its values) follows from that name.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from pluk.core.dragon.errors import DragonError

Metric = Literal[
    "auc",  # pooled AUC: every (label, score) pair of every case, multi-label lists flattened
    "macro_auc",  # mean of per-column AUCs (Task015 only)
    "kappa",  # unweighted Cohen's kappa, multi-label positions pooled
    "linear_kappa",  # linearly weighted Cohen's kappa, labels in sorted string order
    "rsmape",
    "ner_f1_macro",
    "multi_label_ner_f1_weighted",
]

SL_BIN = "single_label_binary_classification_target"
SL_MC = "single_label_multi_class_classification_target"
ML_BIN = "multi_label_binary_classification_target"
ML_MC = "multi_label_multi_class_classification_target"
SL_REG = "single_label_regression_target"
ML_REG = "multi_label_regression_target"
SL_NER = "named_entity_recognition_target"
ML_NER = "multi_label_named_entity_recognition_target"
LABEL_NAMES = (SL_BIN, SL_MC, ML_BIN, ML_MC, SL_REG, ML_REG, SL_NER, ML_NER)

# The metric that a label field gets unless the task says otherwise.
_DEFAULT_METRIC: dict[str, Metric] = {
    SL_BIN: "auc",
    SL_MC: "kappa",
    ML_BIN: "auc",
    ML_MC: "kappa",
    SL_REG: "rsmape",
    ML_REG: "rsmape",
    SL_NER: "ner_f1_macro",
    ML_NER: "multi_label_ner_f1_weighted",
}


class DragonTask(BaseModel):
    """One DRAGON task as the evaluator sees it."""

    model_config = ConfigDict(frozen=True)

    name: str
    label_name: str
    metric: Metric
    epsilon: float | None = None  # RSMAPE only, in the unit of the target

    @property
    def prediction_name(self) -> str:
        """The field of nlp-predictions-dataset.json: the label name minus `_target`."""
        return self.label_name.removesuffix("_target")


def _task(name: str, label_name: str, metric: Metric | None = None, epsilon: float | None = None):
    return DragonTask(
        name=name,
        label_name=label_name,
        metric=metric or _DEFAULT_METRIC[label_name],
        epsilon=epsilon,
    )


_TASKS = (
    _task("Task001_adhesion_clf", SL_BIN),
    _task("Task002_nodule_clf", SL_BIN),
    _task("Task003_kidney_clf", SL_BIN),
    _task("Task004_skin_case_selection_clf", SL_BIN),
    _task("Task005_recist_timeline_clf", SL_BIN),
    _task("Task006_pathology_tumor_origin_clf", SL_BIN),
    _task("Task007_nodule_diameter_presence_clf", SL_BIN),
    _task("Task008_pdac_size_presence_clf", SL_BIN),
    _task("Task009_pdac_diagnosis_clf", SL_MC),
    _task("Task010_prostate_radiology_clf", SL_MC, "linear_kappa"),
    _task("Task011_prostate_pathology_clf", SL_MC, "linear_kappa"),
    _task("Task012_pathology_tissue_type_clf", SL_MC),
    _task("Task013_pathology_tissue_origin_clf", SL_MC),
    _task("Task014_textual_entailment_clf", SL_MC, "linear_kappa"),
    # The one multi-label binary task scored per column ("non-shared task" in dragon_eval).
    _task("Task015_colon_pathology_clf", ML_BIN, "macro_auc"),
    _task("Task016_recist_lesion_size_presence_clf", ML_BIN),
    _task("Task017_pdac_attributes_clf", ML_MC),
    _task("Task018_osteoarthritis_clf", ML_MC),
    _task("Task019_prostate_volume_reg", SL_REG, epsilon=4.0),  # cm³
    _task("Task020_psa_reg", SL_REG, epsilon=0.4),  # ng/mL
    _task("Task021_psad_reg", SL_REG, epsilon=0.04),  # ng/mL²
    _task("Task022_pdac_size_reg", SL_REG, epsilon=4.0),  # mm
    _task("Task023_nodule_diameter_reg", SL_REG, epsilon=4.0),  # mm
    _task("Task024_recist_lesion_size_reg", ML_REG, epsilon=4.0),  # mm
    _task("Task025_anonymisation_ner", SL_NER),
    _task("Task026_medical_terminology_ner", SL_NER),
    _task("Task027_prostate_biopsy_ner", ML_NER),
    _task("Task028_skin_pathology_ner", ML_NER),
    _task("Task101_Example_sl_bin_clf", SL_BIN),
    _task("Task102_Example_sl_mc_clf", SL_MC, "linear_kappa"),
    _task("Task103_Example_mednli", SL_MC, "linear_kappa"),
    _task("Task104_Example_ml_bin_clf", ML_BIN),
    _task("Task105_Example_ml_mc_clf", ML_MC),
    _task("Task106_Example_sl_reg", SL_REG, epsilon=4.0),
    _task("Task107_Example_ml_reg", ML_REG, epsilon=4.0),
    _task("Task108_Example_sl_ner", SL_NER),
    _task("Task109_Example_ml_ner", ML_NER),
)

TASKS: dict[str, DragonTask] = {task.name: task for task in _TASKS}
BENCHMARK_TASKS = tuple(name for name in TASKS if name < "Task100")
SYNTHETIC_TASKS = tuple(name for name in TASKS if name > "Task100")


def get_task(name: str) -> DragonTask:
    """The task by its full name (`Task014_textual_entailment_clf`) or its prefix (`Task014`)."""
    if name in TASKS:
        return TASKS[name]
    matches = [task for full, task in TASKS.items() if full.split("_", 1)[0] == name]
    if len(matches) == 1:
        return matches[0]
    raise DragonError(
        f"unknown DRAGON task {name!r}; known tasks are Task001..Task028 and Task101..Task109"
    )


def task_for_configuration(configuration: dict) -> DragonTask:
    """The task that an `nlp-task-configuration.json` describes, checked against the registry."""
    if not isinstance(configuration, dict):
        raise DragonError("nlp-task-configuration.json must hold a JSON object")
    name = configuration.get("task_name")
    label_name = configuration.get("label_name")
    if not isinstance(name, str) or label_name not in LABEL_NAMES:
        raise DragonError(
            "nlp-task-configuration.json needs a task_name and one of the DRAGON label names"
        )
    task = get_task(name)
    if task.label_name != label_name:
        raise DragonError(
            f"{name}: the configuration's label_name {label_name!r} is not the registry's "
            f"{task.label_name!r}"
        )
    return task
