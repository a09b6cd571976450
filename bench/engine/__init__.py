"""Engine benchmarks: the Smalltalk engine against native Python twins, measured in one run.

`python -m bench.engine` boots an image, runs each workload in Smalltalk and its Python twin
(same algorithm, idiomatic Python), best of `--repeat` runs each, and prints a table with the
ratio. fib also reports message sends per second, counting every send of the Smalltalk
version (the recursive send, `<`, `-`, `-`, `+`; `ifTrue:ifFalse:` is inlined, as in Pharo).
No workload has special support in the engine: each is plain Smalltalk compiled like any doit.
"""
