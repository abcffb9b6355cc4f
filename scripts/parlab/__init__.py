"""parlab's analysis code as one package: what the figures, the report and the regression gate
compute from a results run. `parlab.stats` holds the statistics they share (medians with
distribution-free intervals, bootstrapped speedup ratios, the Mann-Whitney U test and its
effect size, the Amdahl fit, Karp-Flatt, log-log slopes, and the signs of a noisy point), as
pure functions over lists of numbers that know nothing of files. The code that reads and writes
runs and drives the measurements belongs here too, and moves in module by module."""
