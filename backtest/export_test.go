package backtest

// AssignFolds assigns leads to folds as Suggest does, for reference models
// fitted on the same folds.
var AssignFolds = assignFolds
