#!/usr/bin/env bash
# Regenerates the emulator's media templates in src/sora_videos/emulator/_assets/ (needs ffmpeg).
#
# For each size the API knows (WxH) it writes:
#   WxH.mp4   a fragmented MP4: ftyp + moov (init) then ONE moof + mdat fragment holding exactly
#             one second of a static SMPTE test pattern (H.264 baseline, 4 fps, one GOP, no B-frames).
#             The emulator repeats that fragment N times at runtime (patching mfhd/tfdt and the
#             durations in mvhd/tkhd/mdhd/mehd) to build an N-second video.
#   WxH.webp  the thumbnail (one frame of the same pattern).
#   WxH.jpg   the spritesheet (a 4x4 grid of downscaled frames).
# Output is small on purpose (the whole folder should stay far below 1 MB).
#
#   bash scripts/generate_emulator_media.sh
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=src/sora_videos/emulator/_assets
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
SIZES="720x1280 1280x720 1024x1792 1792x1024"

for size in $SIZES; do
  w="${size%x*}"; h="${size#*x}"
  src="smptebars=size=${size}:rate=4:duration=1"
  ffmpeg -hide_banner -loglevel error -y -f lavfi -i "$src" \
    -c:v libx264 -profile:v baseline -preset veryslow -pix_fmt yuv420p -bf 0 -g 4 -crf 38 \
    -x264-params "keyint=4:min-keyint=4:scenecut=0" -map_metadata -1 -fflags +bitexact \
    -movflags frag_keyframe+empty_moov+default_base_moof -frag_duration 1000000 \
    -video_track_timescale 12800 -an "$TMP/$size.mp4"
  # Keep ftyp, moov (without udta) and the single moof + mdat; drop mfra (offsets would be wrong).
  python3 - "$TMP/$size.mp4" "$OUT/$size.mp4" <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read()
boxes, off = [], 0
while off < len(data):
    size, kind = struct.unpack(">I4s", data[off:off + 8])
    boxes.append((kind, data[off:off + size]))
    off += size
kinds = [k for k, _ in boxes]
assert kinds[:4] == [b"ftyp", b"moov", b"moof", b"mdat"], kinds
assert kinds.count(b"moof") == 1, "expected exactly one one-second fragment"
open(sys.argv[2], "wb").write(b"".join(b for k, b in boxes if k != b"mfra"))
PY
  ffmpeg -hide_banner -loglevel error -y -f lavfi -i "smptebars=size=${size}" -frames:v 1 \
    -c:v libwebp -quality 30 -map_metadata -1 "$OUT/$size.webp"
  tw=$((w / 8)); th=$((h / 8))
  ffmpeg -hide_banner -loglevel error -y -f lavfi -i "smptebars=size=${tw}x${th}:rate=16" \
    -frames:v 1 -vf "tile=4x4" -q:v 12 -map_metadata -1 "$OUT/$size.jpg"
done
ls -l "$OUT"
du -sh "$OUT"
