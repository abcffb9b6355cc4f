# The cost model: predicted vs measured time of every primes point, log-log, with the
# diagonal and the +-15% band. Vars: data (two blocks per sweep, primes_procs primes_chunk
# primes_size primes_backends: points with P <= cores and a clean measurement, then the
# others; columns measured predicted), sweeps (those with points), tmin, tmax, nhollow.
load ARG1
set title 'Cost model: predicted vs measured time of every primes point'
set xlabel 'measured median (s)'
set ylabel 'predicted (s)'
set logscale xy
set xrange [tmin:tmax]
set yrange [tmin:tmax]
set format x '10^{%L}'
set format y '10^{%L}'
set key top left width -2
name(i) = word('primes_procs primes_chunk primes_size primes_backends', i)
title(i) = word('processes/schedules chunk-sizes problem-sizes backends', i)
key(i) = strstrt(sweeps, name(i)) > 0 ? title(i) : ''
hollow = entry(nhollow > 0, "keyentry with points ls 11 title 'hollow: P > cores, or suspect'")
plot x with lines ls 9 dt 1 title 'predicted = measured', \
     1.15 * x with lines ls 9 title '+-15%', \
     0.85 * x with lines ls 9 notitle, \
     for [i=1:4] data index 2*i-2 using 1:2 with points ls i notitle, \
     for [i=1:4] data index 2*i-1 using 1:2 with points ls (10+i) notitle, \
     for [i=1:4] keyentry with points ls i title key(i) noenhanced, \
     @hollow
