#!/usr/bin/env bash
# Installs the system parts the test suite needs, from Debian's archive only:
#   - Mesa lavapipe (Vulkan on the CPU) from bookworm-backports, so Dawn (npm `webgpu`) finds an adapter
#     without a GPU; Mesa 22 from plain bookworm is too old for Dawn.
#   - Debian's chromium, for the browser WebGPU test (SwiftShader adapter).
#   - Fashion-MNIST as IDX files (dataset-fashion-mnist).
#   - PyTorch (python3-torch), only when asked with --with-torch: it regenerates golden fixtures, which are
#     committed, so tests never need it.
# Idempotent: skips what is already there. Needs root (apt-get).
set -euo pipefail

want_torch=0
for arg in "$@"; do
  case "$arg" in
    --with-torch) want_torch=1 ;;
    *) echo "install-system.sh: unknown flag '$arg' (known: --with-torch)" >&2; exit 2 ;;
  esac
done

if ! command -v apt-get >/dev/null; then
  echo "install-system.sh: no apt-get here; install Mesa (Vulkan lavapipe), chromium and Fashion-MNIST by hand" >&2
  exit 0
fi
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"

# bookworm-backports: copy the system's own Debian entry, changing only the suite (no mirror host is named here).
backports=/etc/apt/sources.list.d/norga-bookworm-backports.sources
if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    # First deb822 stanza whose Suites line names plain "bookworm".
    awk 'BEGIN{RS=""; ORS="\n\n"} /Suites:[^\n]*bookworm([ \n]|$)/ && !done {print; done=1}' \
      /etc/apt/sources.list.d/debian.sources |
      sed -E 's/^Suites:.*/Suites: bookworm-backports/' | $SUDO tee "$backports" >/dev/null
  elif [ -f /etc/apt/sources.list ]; then
    grep -E '^deb .* bookworm( |$)' /etc/apt/sources.list | head -1 |
      sed -E 's/ bookworm( |$)/ bookworm-backports\1/' | $SUDO tee /etc/apt/sources.list.d/norga-bookworm-backports.list >/dev/null
  fi
fi

need=()
dpkg -s chromium >/dev/null 2>&1 || need+=(chromium)
dpkg -s dataset-fashion-mnist >/dev/null 2>&1 || need+=(dataset-fashion-mnist)
[ "$want_torch" = 1 ] && { dpkg -s python3-torch >/dev/null 2>&1 || need+=(python3-torch); }
mesa_ok=0
if dpkg -s mesa-vulkan-drivers >/dev/null 2>&1; then
  case "$(dpkg-query -W -f='${Version}' mesa-vulkan-drivers)" in 22.*) ;; *) mesa_ok=1 ;; esac
fi

if [ ${#need[@]} -gt 0 ] || [ "$mesa_ok" = 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  [ "$mesa_ok" = 1 ] || $SUDO apt-get install -y -qq -t bookworm-backports mesa-vulkan-drivers libvulkan1 >/dev/null
  [ ${#need[@]} -eq 0 ] || $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
echo "install-system.sh: mesa-vulkan-drivers $(dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null || echo missing)," \
  "chromium $(dpkg-query -W -f='${Version}' chromium 2>/dev/null || echo missing)," \
  "fashion-mnist $(dpkg-query -W -f='${Version}' dataset-fashion-mnist 2>/dev/null || echo missing)"
