#!/usr/bin/env bash
# Installs the Debian packages Countyline's bench and tests use. Safe to run again.
# Needs root (or sudo). Prints what it installs and why before doing it.
set -euo pipefail

# package      command (or file) it provides   why
PACKAGES=(
  "socat        socat                   the pseudo-terminal pair between the firmware and the card simulator"
  "tshark       tshark                  Wireshark's decoder, the oracle the SS7 codec's bytes are checked against"
  "gcc          gcc                     compiles the libss7 reference exchange (test/peers/libss7) when a test first needs it"
  "libc6-dev    /usr/include/stdio.h    the C library headers gcc needs (only recommended by gcc, so named here)"
  "libss7-dev   /usr/include/libss7.h   Asterisk's SS7 library: the far-end exchange the SS7 tests run against, written by nobody here"
  "libpri-dev   /usr/include/libpri.h   Asterisk's ISDN PRI library: the D-channel far end (test/peers/libpri) the PRI tests run against"
  "sip-tester   sipp                    SIPp, the scripted SIP agent phones the calls tests register and answer with"
  "baresip-core baresip                 a real softphone that registers with the box and answers a call in the bench tests"
  "mosquitto-clients mosquitto_pub       MQTT clients written by nobody here, tried against central's broker (access control)"
  "mosquitto    mosquitto               an MQTT broker written by nobody here: the box's client is tested against it, and the benchmark's yardstick"
  "postgresql   pg_virtualenv           PostgreSQL, central's store at scale: the store tests run on it as well as on SQLite"
  "espeak-ng    espeak-ng               the speech synthesiser that speaks the callers' prompts and a bulletin set at run time (on the box too)"
  "sox          sox                     turns espeak-ng's speech into 8 kHz A-law, the audio of a phone line (on the box too)"
  "chromium     chromium                a real browser: the ops page's tests drive it through playwright-core (never a downloaded browser)"
  "fonts-wqy-microhei /usr/share/fonts/truetype/wqy/wqy-microhei.ttc  Chinese glyphs, so the ops page renders zh-CN in that browser"
  "openssl      openssl                 makes the throwaway CA and certificates of the TLS tests (mqtts, provision --ca-file)"
  "binutils-aarch64-linux-gnu aarch64-linux-gnu-strip  strips the arm64 Node that npm run image packs for the box"
  "xz-utils     xz                      compresses the .deb's contents (npm run image)"
  "qemu-user-static qemu-aarch64-static runs the packaged arm64 Node in the image test (user mode, no binfmt_misc)"
  "libc6-arm64-cross /usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1  the arm64 C library qemu loads the packaged Node with"
  "libstdc++6-arm64-cross /usr/aarch64-linux-gnu/lib/libstdc++.so.6  the arm64 C++ library the packaged Node and the serial port addon link"
  "libgcc-s1-arm64-cross /usr/aarch64-linux-gnu/lib/libgcc_s.so.1  the arm64 GCC runtime they link too"
)

present() { if [[ "$1" == /* ]]; then [ -e "$1" ]; else command -v "$1" >/dev/null 2>&1; fi; }

missing=()
for entry in "${PACKAGES[@]}"; do
  read -r pkg cmd why <<<"$entry"
  if ! present "$cmd"; then
    missing+=("$pkg")
    echo "countyline setup: will install $pkg: $why"
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "countyline setup: Debian packages already present"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "countyline setup: this is not a Debian-like system; install these yourself: ${missing[*]}" >&2
  exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
    echo "countyline setup: not root, using sudo"
  else
    echo "countyline setup: need root to install ${missing[*]}; run: apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends "${missing[@]}"
echo "countyline setup: installed ${missing[*]}"
