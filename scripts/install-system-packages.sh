#!/usr/bin/env bash
# Installs the Debian packages that Ferry's integration tests run for real:
# HAProxy (several ferryd behind a load balancer, PROXY protocol), socat (the
# bench's C baseline, whose receiver a test checks), OpenSSH's server and
# client and vsftpd (the SFTP and FTP/FTPS kinds are tested against private
# instances), and the peers the bench measures in the same run (curl, lftp,
# rsync). Run as root
# (or through sudo) on Debian or Ubuntu; does nothing when all are present.
set -euo pipefail
packages=(haproxy socat openssh-server openssh-client vsftpd curl lftp rsync)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
as_root=()
[ "$(id -u)" -eq 0 ] || as_root=(sudo)
"${as_root[@]}" apt-get update
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
