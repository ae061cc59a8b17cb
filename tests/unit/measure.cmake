# Unit tests of the measurement core: tone plan, stimulus, analyzer, latency, clock drift.
tw_unit_test(toneplan tonewire_dsp)
tw_unit_test(stimulus tonewire_dsp)
tw_unit_test(analyzer tonewire_dsp)
tw_unit_test(latency tonewire_dsp)
tw_unit_test(drift tonewire_dsp)
# The measurement as a station makes it (station/measure.c), on closed-form captures.
tw_unit_test(measure tonewire_station)
