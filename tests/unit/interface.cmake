# interface profiles: the shipped ones, the constraint keys, overrides, identification, malformed files.
tw_unit_test(interface tonewire_profiles)
