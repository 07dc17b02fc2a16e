"""Market models, one module per subject: tenders and lots here; mobilisation and contingency beside them."""

from market.models.tenders import (
    Award,
    Bid,
    Lot,
    LotCapacity,
    LotService,
    LotStatus,
    LotStatusChange,
    Procedure,
    ProcurementRound,
    RoundOutcome,
    StageName,
    Tender,
    TenderStage,
    TenderStatus,
)

__all__ = [
    "Award",
    "Bid",
    "Lot",
    "LotCapacity",
    "LotService",
    "LotStatus",
    "LotStatusChange",
    "Procedure",
    "ProcurementRound",
    "RoundOutcome",
    "StageName",
    "Tender",
    "TenderStage",
    "TenderStatus",
]
