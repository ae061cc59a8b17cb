# devices: who holds a device (made-up and real /proc), the busy message.
tw_unit_test(devices tonewire_station)
