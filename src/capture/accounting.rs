//! produced / delivered / dropped / evicted counters.
