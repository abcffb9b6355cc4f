# Figure 5: time vs N, log-log, per program, with the fitted exponent and its 95% interval.
# Vars: data (three blocks per program, nonoptimized optimized primesieve: every point, clean,
# suspect; columns N time lo hi min max), fit (one block per program: the fitted c N^k at the
# N it used), net (1: time less each program's start-up; 0: whole-process time), k_non k_opt
# k_sieve and their _lo _hi (NaN: no fit, or no interval), start_bad_non start_bad_opt
# start_bad_sieve (1: the program's start-up point is suspect, so no exponent), nfits
# (programs fitted), procs, nsuspect, bars.
load ARG1
set title net ? 'Cost growth: compute time (time less start-up) vs N' \
              : 'Cost growth: time vs N (start-up included)'
set xlabel 'N'
set ylabel net ? 'compute time (s)' : 'time (s)'
set logscale xy
set format x '10^{%L}'
set format y '10^{%L}'
set key top left width -4
# An exponent is NaN when too few clean, long-enough points were there to fit it.
exponent(k, lo, hi, bad) = bad ? ', start-up suspect: no fit' : (k != k) ? '' : \
    (lo == lo) ? sprintf(', N^{%.2f} [%.2f, %.2f]', k, lo, hi) : sprintf(', N^{%.2f}', k)
t1 = 'nonoptimized'.exponent(k_non, k_non_lo, k_non_hi, start_bad_non)
t2 = sprintf('optimized, P = %d', procs).exponent(k_opt, k_opt_lo, k_opt_hi, start_bad_opt)
t3 = 'primesieve'.exponent(k_sieve, k_sieve_lo, k_sieve_hi, start_bad_sieve)
sus = entry(nsuspect > 0, suspect_entry)
fits = (nfits > 0) ? "keyentry with lines ls 9 title 'fit c N^k: dashed, over the points it used'" \
                   : "keyentry title 'no fit: too few clean points long enough to fit'"
bar = entry(bars, "keyentry with ".ebar." ls 29 title 'median, 95% interval'")
plot for [i=1:3] data index 3*i-3 using 1:2 with lines ls i lw 1 notitle, \
     for [i=1:3] fit index i-1 using 1:2 with lines ls i lw 2.5 dt 2 notitle, \
     for [i=1:3] data index 3*i-2 using 1:3:(0):($4-$3) with @ebar ls (20+i) notitle, \
     for [i=1:3] data index 3*i-1 using 1:3:(0):($4-$3) with @ebar ls 29 notitle, \
     for [i=1:3] data index 3*i-2 using 1:2 with points ls i notitle, \
     for [i=1:3] data index 3*i-1 using 1:2 with points ls (10+i) notitle, \
     keyentry with linespoints ls 1 title t1, \
     keyentry with linespoints ls 2 title t2, \
     keyentry with linespoints ls 3 title t3, \
     @fits, @bar, @sus
