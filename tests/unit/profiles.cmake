# profiles: loader, shipped data files and malformed-file messages.
tw_unit_test(profiles tonewire_profiles)
