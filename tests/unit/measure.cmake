# Unit tests of the measurement core: tone plan, stimulus, analyzer, latency.
tw_unit_test(toneplan tonewire_dsp)
tw_unit_test(stimulus tonewire_dsp)
tw_unit_test(analyzer tonewire_dsp)
tw_unit_test(latency tonewire_dsp)
