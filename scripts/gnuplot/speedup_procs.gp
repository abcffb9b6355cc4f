# Figure 2: speedup and efficiency vs processes, with their 95% intervals, the ideal, an Amdahl
# fit and Karp-Flatt. Vars: data (three blocks per schedule, dynamic static cyclic: every
# point, clean, suspect; columns P S lo hi E E_lo E_hi KF), f f_lo f_hi (fitted serial
# fraction and its interval; NaN: no fit, or no interval), limit_text, cores, pmax, schedules
# (those with data; the others get no key entry), nsuspect, bars.
load ARG1
set multiplot layout 1,2 title sprintf('Speedup and efficiency, N = %s', limit_text)
set xlabel 'worker processes P'
set xtics 1
set xrange [1:pmax]
set ylabel 'speedup S = T_1 / T_P'
# Headroom above the ideal for the key, clear of the points.
set yrange [0:(cores < pmax ? cores : pmax) * 1.6]
# gnuplot sizes a key by character count, too wide for these proportional fonts: trimmed.
set key top left width -4
name(i) = word('dynamic static cyclic', i)
key(i) = strstrt(schedules, name(i)) > 0 ? name(i) : ''
keyed(what, i) = strstrt(schedules, name(i)) > 0 ? what.', '.name(i) : ''
# Only the points the fit used (clean, 1 < P <= cores) shape it; the curve is drawn anyway
# over every P, capped at the cores as the ideal is.
amdahl(p) = 1.0 / (f + (1.0 - f) / (p < cores ? p : cores))
f_text = (f_lo == f_lo) ? sprintf('Amdahl fit, f = %.3f [%.3f, %.3f]', f, f_lo, f_hi) \
                        : sprintf('Amdahl fit, f = %.3f', f)
amdahl_plot = (f == f) ? "amdahl(x) with lines lc rgb '#ff7f0e' lw 2 dt 4 title f_text" \
                       : "keyentry title 'no Amdahl fit: no clean point with 1 < P <= cores'"
sus = entry(nsuspect > 0, suspect_entry)
bar = entry(bars, "keyentry with ".ebar." ls 29 title '95% bootstrap interval'")
plot x < cores ? x : cores with lines ls 9 title 'ideal', \
     @amdahl_plot, \
     for [i=1:3] data index 3*i-3 using 1:2 with lines ls i notitle, \
     for [i=1:3] data index 3*i-2 using 1:3:(0):($4-$3) with @ebar ls (20+i) notitle, \
     for [i=1:3] data index 3*i-1 using 1:3:(0):($4-$3) with @ebar ls 29 notitle, \
     for [i=1:3] data index 3*i-2 using 1:2 with points ls i notitle, \
     for [i=1:3] data index 3*i-1 using 1:2 with points ls (10+i) notitle, \
     for [i=1:3] keyentry with linespoints ls i title key(i), \
     @bar, @sus
set ylabel 'efficiency S / P, Karp-Flatt e(P)'
set yrange [0:1.7]
set key top right width -4
# e(P) as crosses: a hollow marker would read as suspect.
plot for [i=1:3] data index 3*i-3 using 1:5 with lines ls i notitle, \
     for [i=1:3] data index 3*i-2 using 1:6:(0):($7-$6) with @ebar ls (20+i) notitle, \
     for [i=1:3] data index 3*i-1 using 1:6:(0):($7-$6) with @ebar ls 29 notitle, \
     for [i=1:3] data index 3*i-2 using 1:5 with points ls i notitle, \
     for [i=1:3] data index 3*i-1 using 1:5 with points ls (10+i) notitle, \
     for [i=1:3] keyentry with linespoints ls i title keyed('efficiency', i), \
     for [i=1:3] data index 3*i-2 using 1:($8 == $8 ? $8 : 1/0) with points ls i pt 2 ps 1.6 title keyed('e(P)', i), \
     for [i=1:3] data index 3*i-1 using 1:($8 == $8 ? $8 : 1/0) with points ls (10+i) pt 2 ps 1.6 notitle, \
     @sus
unset multiplot
