# packaging: make package builds two Debian packages from the install rules with CPack:
# tonewire (everything installed without a component) and tonewire-sim (component "sim").
#
# The split follows the install rules: an install() with no COMPONENT lands in
# tonewire (CMAKE_INSTALL_DEFAULT_COMPONENT_NAME, set before any of them), the
# simulator's plugin, its ALSA configuration and the scenarios say COMPONENT sim.
set(TW_PKG_BIN ${CMAKE_CURRENT_BINARY_DIR}/packaging)
set(TW_PKG_SRC ${CMAKE_CURRENT_LIST_DIR})
set(TW_PKG_MAIN tonewire)
set(TW_PKG_SIM tonewire-sim)

# /usr/share/doc/PACKAGE: the copyright and, as the version is native (no
# Debian revision), the changelog as changelog.gz, compressed without a name
# or time stamp so that two builds give the same bytes.
find_program(GZIP gzip REQUIRED)
add_custom_command(OUTPUT ${TW_PKG_BIN}/changelog.gz
  COMMAND ${CMAKE_COMMAND} -E make_directory ${TW_PKG_BIN}
  COMMAND sh -c "\"$1\" -9n -c \"$2\" > \"$3\"" sh ${GZIP} ${TW_PKG_SRC}/changelog ${TW_PKG_BIN}/changelog.gz
  DEPENDS ${TW_PKG_SRC}/changelog
  VERBATIM)
add_custom_target(package_changelog ALL DEPENDS ${TW_PKG_BIN}/changelog.gz)
install(FILES ${TW_PKG_SRC}/copyright ${TW_PKG_BIN}/changelog.gz
        DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/${TW_PKG_MAIN} COMPONENT tonewire)
install(FILES ${TW_PKG_SRC}/copyright ${TW_PKG_BIN}/changelog.gz
        DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/${TW_PKG_SIM} COMPONENT sim)

# Every regular file tonewire installs under /etc is the admin's to edit: dpkg
# keeps their version on upgrade. (The sim's /etc/alsa/conf.d entry is a link.)
file(WRITE ${TW_PKG_BIN}/tonewire/conffiles
  "${CMAKE_INSTALL_FULL_SYSCONFDIR}/tonewire/tonewired.conf\n"
  "${CMAKE_INSTALL_FULL_SYSCONFDIR}/tonewire/jigs.conf\n")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME ${TW_PKG_MAIN})
set(CPACK_PACKAGE_VENDOR "tonewire")
set(CPACK_PACKAGE_CONTACT "tonewire maintainers <dev@tonewire.invalid>")
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL tonewire sim)
# tonewire_0.1.0_amd64.deb: name_version_architecture, as Debian names them.
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION sound)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# Debug information (and with it the build tree's paths) stays out of the packages.
set(CPACK_STRIP_FILES ON)

set(CPACK_DEBIAN_TONEWIRE_PACKAGE_NAME ${TW_PKG_MAIN})
set(CPACK_COMPONENT_TONEWIRE_DESCRIPTION "audio cable tester: test tones, transfer matrix, named faults
tonewire tests audio cables on a production line. A USB audio interface in a
loopback jig drives every contact of a cable's near end with its own tone and
captures every contact of its far end; an FFT turns the capture into a
transfer matrix, and a classifier names what is wrong: left/right swap,
polarity inversion, CTIA/OMTP mismatch, opens, shorts, high resistance,
crosstalk and intermittent contacts.

This package holds the tonewired service (HTTP API, dashboard, results
store, systemd unit, not enabled), the tonewire command for people and CI,
the connector, cable and jig profiles, and udev rules that take over only
the audio interfaces listed in /etc/tonewire/jigs.conf.")
set(CPACK_DEBIAN_TONEWIRE_PACKAGE_SUGGESTS ${TW_PKG_SIM})
set(CPACK_DEBIAN_TONEWIRE_PACKAGE_CONTROL_EXTRA
  ${TW_PKG_BIN}/tonewire/conffiles ${TW_PKG_SRC}/tonewire/postinst
  ${TW_PKG_SRC}/tonewire/prerm ${TW_PKG_SRC}/tonewire/postrm)

set(CPACK_DEBIAN_SIM_PACKAGE_NAME ${TW_PKG_SIM})
set(CPACK_COMPONENT_SIM_DESCRIPTION "simulated jig for tonewire (ALSA PCM plugin)
An ALSA external PCM plugin, tonewire_sim:SCENARIO, that plays a tonewire
jig and the cable in it as a scenario file describes: latency, noise, hum,
distortion, clock drift, wiring faults and dropouts. With it tonewired and
tonewire run without an audio interface, for demonstrations, training and
tests; it also holds the demo scenarios tonewired offers when no device is
configured. A production test station does not need it.")
# The scenarios name the jig profiles tonewire ships, and the plugin reads them.
set(CPACK_DEBIAN_SIM_PACKAGE_DEPENDS "${TW_PKG_MAIN} (= ${PROJECT_VERSION})")

include(CPack)
