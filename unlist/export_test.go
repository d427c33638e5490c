package unlist

// SplitPacked is splitPacked, for tests.
var SplitPacked = splitPacked
