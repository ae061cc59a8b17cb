# The INI reader every configuration, profile and scenario goes through.
tw_unit_test(ini tonewire_profiles)
