# Figure 2: speedup and efficiency vs processes, the ideal, an Amdahl fit and Karp-Flatt.
# Vars: data (blocks per schedule: P S E KF), f (fitted serial fraction), limit_text, cores, pmax,
# schedules (those with data; the others get no key entry).
load ARG1
set multiplot layout 1,2 title sprintf('Speedup and efficiency, N = %s', limit_text)
set xlabel 'worker processes P'
set xtics 1
set xrange [1:pmax]
set ylabel 'speedup S = T_1 / T_P'
set yrange [0:(cores < pmax ? cores : pmax) * 1.15]
set key bottom right
key(s) = strstrt(schedules, s) > 0 ? s : ''
keyed(what, s) = strstrt(schedules, s) > 0 ? what.', '.s : ''
amdahl(p) = 1.0 / (f + (1.0 - f) / (p < cores ? p : cores))
plot x < cores ? x : cores with lines ls 9 title 'ideal', \
     amdahl(x) with lines lc rgb '#ff7f0e' lw 2 dt 4 title sprintf('Amdahl fit, f = %.3f', f), \
     data index 0 using 1:2 with linespoints ls 1 title key('dynamic'), \
     ''   index 1 using 1:2 with linespoints ls 2 title key('static'), \
     ''   index 2 using 1:2 with linespoints ls 3 title key('cyclic')
set ylabel 'efficiency S / P, Karp-Flatt e(P)'
set yrange [0:1.5]
set key top right
plot data index 0 using 1:3 with linespoints ls 1 title keyed('efficiency', 'dynamic'), \
     ''   index 1 using 1:3 with linespoints ls 2 title keyed('efficiency', 'static'), \
     ''   index 2 using 1:3 with linespoints ls 3 title keyed('efficiency', 'cyclic'), \
     ''   index 0 using 1:($4 == $4 ? $4 : 1/0) with points ls 1 pt 6 ps 1.6 title keyed('e(P)', 'dynamic'), \
     ''   index 1 using 1:($4 == $4 ? $4 : 1/0) with points ls 2 pt 4 ps 1.6 title keyed('e(P)', 'static'), \
     ''   index 2 using 1:($4 == $4 ? $4 : 1/0) with points ls 3 pt 8 ps 1.6 title keyed('e(P)', 'cyclic')
unset multiplot
