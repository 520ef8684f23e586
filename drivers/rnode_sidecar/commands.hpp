#pragma once
// RNode host-protocol command codes and constants (spec/rnode.md §2.1, §2.2, §4.4).

#include <cstddef>
#include <cstdint>

namespace rnode::cmd {

inline constexpr std::uint8_t data = 0x00;
inline constexpr std::uint8_t frequency = 0x01;
inline constexpr std::uint8_t bandwidth = 0x02;
inline constexpr std::uint8_t txpower = 0x03;
inline constexpr std::uint8_t sf = 0x04;
inline constexpr std::uint8_t cr = 0x05;
inline constexpr std::uint8_t radio_state = 0x06;
inline constexpr std::uint8_t radio_lock = 0x07;
inline constexpr std::uint8_t detect = 0x08;
inline constexpr std::uint8_t implicit = 0x09;
inline constexpr std::uint8_t leave = 0x0a;
inline constexpr std::uint8_t st_alock = 0x0b;
inline constexpr std::uint8_t lt_alock = 0x0c;
inline constexpr std::uint8_t promisc = 0x0e;
inline constexpr std::uint8_t ready = 0x0f;
inline constexpr std::uint8_t stat_rx = 0x21;
inline constexpr std::uint8_t stat_tx = 0x22;
inline constexpr std::uint8_t stat_rssi = 0x23;
inline constexpr std::uint8_t stat_snr = 0x24;
inline constexpr std::uint8_t stat_chtm = 0x25;
inline constexpr std::uint8_t stat_phyprm = 0x26;
inline constexpr std::uint8_t stat_bat = 0x27;
inline constexpr std::uint8_t stat_csma = 0x28;
inline constexpr std::uint8_t stat_temp = 0x29;
inline constexpr std::uint8_t blink = 0x30;
inline constexpr std::uint8_t random = 0x40;
inline constexpr std::uint8_t fb_ext = 0x41;
inline constexpr std::uint8_t platform = 0x48;
inline constexpr std::uint8_t mcu = 0x49;
inline constexpr std::uint8_t fw_version = 0x50;
inline constexpr std::uint8_t reset = 0x55;
inline constexpr std::uint8_t error = 0x90;

inline constexpr std::uint8_t detect_req = 0x73;
inline constexpr std::uint8_t detect_resp = 0x46;
inline constexpr std::uint8_t reset_booted = 0xf8;

inline constexpr std::uint8_t platform_avr = 0x90;
inline constexpr std::uint8_t platform_esp32 = 0x80;
inline constexpr std::uint8_t platform_nrf52 = 0x70;
inline constexpr std::uint8_t mcu_1284p = 0x91;
inline constexpr std::uint8_t mcu_2560 = 0x92;
inline constexpr std::uint8_t mcu_esp32 = 0x81;
inline constexpr std::uint8_t mcu_nrf52 = 0x71;

// §4.4 error codes
inline constexpr std::uint8_t err_initradio = 0x01;
inline constexpr std::uint8_t err_txfailed = 0x02;
inline constexpr std::uint8_t err_eeprom_locked = 0x03;
inline constexpr std::uint8_t err_queue_full = 0x04;
inline constexpr std::uint8_t err_memory_low = 0x05;
inline constexpr std::uint8_t err_modem_timeout = 0x06;

/// §1.6: packet payload limit both ways (Reticulum MTU 500 + 8 bytes IFAC).
inline constexpr std::size_t hw_mtu = 508;
/// §2.2: lowest firmware RNodeInterface accepts.
inline constexpr unsigned min_fw_major = 1;
inline constexpr unsigned min_fw_minor = 52;

} // namespace rnode::cmd
