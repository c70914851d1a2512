"""The rule registry: an explicit list (fast start-up, no plugin discovery)."""

from __future__ import annotations

from nanlog.rules.accuracy import AccuracyAtChance, AccuracyMovesAfterNaN
from nanlog.rules.base import Evidence, Rule
from nanlog.rules.evaluation import ClassAbsentFromGroundTruth
from nanlog.rules.learning_rate import (
    FiniteLearningRate,
    LargeLearningRate,
    NaNBeforeUpdates,
    NonFiniteLearningRate,
    RateSteppedUpBeforeBreak,
    RisingLearningRateAtBreak,
    SurvivedLargerRate,
    TinyRateAtBreak,
)
from nanlog.rules.messages import (
    AnomalyOperation,
    LabelErrorMessage,
    NanWeightsMessage,
    NumpyWarning,
)
from nanlog.rules.precision import (
    ActivationAtHalfCeiling,
    FrozenSchedule,
    HalfPrecisionInUse,
    InfUnderHalfPrecision,
    KerasWithoutHalfPrecision,
    LossScaleCollapse,
    OverflowMessages,
    SkippedNonFiniteGradients,
    SkippedOverflowSteps,
)
from nanlog.rules.shape import (
    BlowUp,
    CollapseToZero,
    EarlyBlowUp,
    HugeFirstLoss,
    InfiniteWithoutGrowth,
    NonFiniteFromStart,
    RecoveringNaN,
    SameBatchEachEpoch,
    SteadyGrowth,
    SuddenBreakAfterDecline,
    TrainingWentOn,
    ValidationSurvivedNaN,
)
from nanlog.rules.terms import (
    BoxTermBrokeFirst,
    CtcLossInBrokenRun,
    KlTermInBrokenRun,
    TermBlewUpAtBreak,
    TotalBrokeWithFiniteTerms,
)

RULES: tuple[Rule, ...] = (
    SteadyGrowth(),
    EarlyBlowUp(),
    SuddenBreakAfterDecline(),
    NonFiniteFromStart(),
    SameBatchEachEpoch(),
    BlowUp(),
    RecoveringNaN(),
    HugeFirstLoss(),
    CollapseToZero(),
    InfiniteWithoutGrowth(),
    ValidationSurvivedNaN(),
    TrainingWentOn(),
    TotalBrokeWithFiniteTerms(),
    BoxTermBrokeFirst(),
    TermBlewUpAtBreak(),
    CtcLossInBrokenRun(),
    KlTermInBrokenRun(),
    NonFiniteLearningRate(),
    RisingLearningRateAtBreak(),
    LargeLearningRate(),
    FiniteLearningRate(),
    NaNBeforeUpdates(),
    SurvivedLargerRate(),
    TinyRateAtBreak(),
    RateSteppedUpBeforeBreak(),
    AccuracyAtChance(),
    AccuracyMovesAfterNaN(),
    ClassAbsentFromGroundTruth(),
    LossScaleCollapse(),
    OverflowMessages(),
    InfUnderHalfPrecision(),
    SkippedOverflowSteps(),
    HalfPrecisionInUse(),
    ActivationAtHalfCeiling(),
    FrozenSchedule(),
    SkippedNonFiniteGradients(),
    KerasWithoutHalfPrecision(),
    LabelErrorMessage(),
    AnomalyOperation(),
    NanWeightsMessage(),
    NumpyWarning(),
)
BY_CODE: dict[str, Rule] = {rule.code: rule for rule in RULES}

__all__ = ["BY_CODE", "RULES", "Evidence", "Rule"]
