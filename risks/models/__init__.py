from risks.models.assets import Asset
from risks.models.method import RiskMethod
from risks.models.risk import Risk, RiskControl, RiskLevelRecord

__all__ = ["Asset", "Risk", "RiskControl", "RiskLevelRecord", "RiskMethod"]
