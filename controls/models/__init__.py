from controls.models.catalogue import (
    Framework,
    MappingSet,
    Requirement,
    RequirementAttribute,
    RequirementMapping,
    Theme,
)
from controls.models.history import ScoreSnapshot
from controls.models.status import Applicability, ControlStatus, SoaVersion

__all__ = [
    "Applicability",
    "ControlStatus",
    "Framework",
    "MappingSet",
    "Requirement",
    "RequirementAttribute",
    "RequirementMapping",
    "ScoreSnapshot",
    "SoaVersion",
    "Theme",
]
