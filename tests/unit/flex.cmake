tw_unit_test(flex tonewire_dsp)
