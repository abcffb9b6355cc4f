# Figure 5: time vs N, log-log, with fitted exponents. Vars: data (blocks nonoptimized,
# optimized, primesieve: N median), k_non, k_opt, k_sieve (exponents), procs.
load ARG1
set title 'Cost growth: time vs N'
set xlabel 'N'
set ylabel 'time (s)'
set logscale xy
set format x '10^{%L}'
set format y '10^{%L}'
set key top left
# An exponent is NaN when too few points were long enough to fit it.
exponent(k) = (k == k) ? sprintf(', time grows as N^{%.2f}', k) : ''
plot data index 0 using 1:2 with linespoints ls 1 title 'nonoptimized'.exponent(k_non), \
     ''   index 1 using 1:2 with linespoints ls 2 title sprintf('optimized, P = %d', procs).exponent(k_opt), \
     ''   index 2 using 1:2 with linespoints ls 3 title 'primesieve'.exponent(k_sieve)
