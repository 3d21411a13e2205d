#!/usr/bin/env bash
# Nộp văn bản ký số lên kyso — submit signed PDFs to kyso. Needs only bash and curl.
set -u

usage() {
  cat <<'EOF'
Usage: submit.sh [--url URL] [--token TOKEN] [--unit UNIT_ID] FILE_OR_DIR...

Nộp các tệp PDF đã ký số lên kyso; mỗi tệp in một dòng kết quả.
Submits signed PDF files to kyso and prints one line per file.

  --url URL       kyso's address (or KYSO_URL), e.g. http://127.0.0.1:8080
  --token TOKEN   API token with the submit scope (or KYSO_TOKEN)
  --unit ID       the unit the files are handed in for (optional; kyso checks it)
  -h, --help      this help

Directories are searched for *.pdf files (not recursively into hidden folders).
Each line reads:
  OK      file  -> what it satisfied (unit, month, requirement)
  CHƯA    file  -> valid or stored, but it satisfied nothing: the reasons follow
  LỖI     file  -> rejected (not a PDF, too large, not authorised, ...)
Exit status: 0 when every file was accepted, valid and satisfied a requirement; 1 otherwise;
2 on wrong usage.
EOF
}

url="${KYSO_URL:-}"
token="${KYSO_TOKEN:-}"
unit=""
files=()
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --url) url="${2:-}"; shift 2 || { usage >&2; exit 2; } ;;
    --url=*) url="${1#--url=}"; shift ;;
    --token) token="${2:-}"; shift 2 || { usage >&2; exit 2; } ;;
    --token=*) token="${1#--token=}"; shift ;;
    --unit) unit="${2:-}"; shift 2 || { usage >&2; exit 2; } ;;
    --unit=*) unit="${1#--unit=}"; shift ;;
    --) shift; files+=("$@"); break ;;
    -*) echo "submit.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
    *) files+=("$1"); shift ;;
  esac
done
if [ -z "$url" ] || [ -z "$token" ] || [ ${#files[@]} -eq 0 ]; then
  echo "submit.sh: need --url (or KYSO_URL), --token (or KYSO_TOKEN) and at least one file" >&2
  usage >&2
  exit 2
fi
command -v curl >/dev/null || { echo "submit.sh: curl is not installed" >&2; exit 2; }

# Expand directories into their PDF files.
pdfs=()
for f in "${files[@]}"; do
  if [ -d "$f" ]; then
    while IFS= read -r -d '' p; do pdfs+=("$p"); done < <(find "$f" -type f -iname '*.pdf' -not -path '*/.*' -print0 | sort -z)
  else
    pdfs+=("$f")
  fi
done
if [ ${#pdfs[@]} -eq 0 ]; then
  echo "submit.sh: no PDF files found" >&2
  exit 1
fi

# Pull one string field out of compact JSON without jq: the first "key":"value".
json_field() { # json key
  printf '%s' "$1" | grep -oE "\"$2\":\"([^\"\\\\]|\\\\.)*\"" | head -n 1 | sed "s/^\"$2\":\"//; s/\"\$//; s/\\\\\"/\"/g"
}

# Every "message":"..." of the notes array, one per line (the report's problems are inside
# "report" and are summarised in the notes by the server).
notes_of() {
  printf '%s' "$1" | sed 's/.*"notes":\[//' | grep -oE '"message":"([^"\\]|\\.)*"' | sed 's/^"message":"//; s/"$//; s/\\"/"/g'
}

# What the file meets, in words (the receipt's satisfies_text); from the ids for an older server.
satisfies_of() {
  if printf '%s' "$1" | grep -q '"satisfies_text":\['; then
    printf '%s' "$1" | sed 's/.*"satisfies_text":\[\([^]]*\)\].*/\1/' | grep -oE '"([^"\\]|\\.)*"' | sed 's/^"//; s/"$//; s/\\"/"/g' | while IFS= read -r t; do printf '%s; ' "$t"; done
    return
  fi
  printf '%s' "$1" | sed 's/.*"satisfies":\[\([^]]*\)\].*/\1/' | grep -o '{[^}]*}' | while IFS= read -r c; do
    u=$(json_field "$c" unit); m=$(json_field "$c" month); r=$(json_field "$c" requirement); l=$(json_field "$c" leader)
    if [ "$r" = "leader" ]; then printf '%s %s lãnh đạo %s; ' "$u" "$m" "$l"; else printf '%s %s ký số cơ quan; ' "$u" "$m"; fi
  done
}

verdict_vi() {
  case "$1" in
    valid) printf 'hợp lệ' ;;
    invalid) printf 'chữ ký không hợp lệ' ;;
    indeterminate) printf 'chưa xác định được chữ ký' ;;
    unsigned) printf 'không có chữ ký số' ;;
    *) printf '%s' "${1:-?}" ;;
  esac
}

failed=0
for f in "${pdfs[@]}"; do
  if [ ! -r "$f" ]; then
    printf 'LỖI   %s -> không đọc được tệp (cannot read the file)\n' "$f"
    failed=1
    continue
  fi
  args=(-sS --max-time 300 -H "Authorization: Bearer $token" -F "file=@$f;type=application/pdf")
  [ -n "$unit" ] && args+=(-F "unit=$unit")
  body_file=$(mktemp)
  code=$(curl "${args[@]}" -o "$body_file" -w '%{http_code}' "${url%/}/api/v1/submissions" 2>"$body_file.err")
  rc=$?
  body=$(tr -d '\n' < "$body_file")
  err=$(cat "$body_file.err")
  rm -f "$body_file" "$body_file.err"
  if [ $rc -ne 0 ]; then
    printf 'LỖI   %s -> không kết nối được kyso (%s)\n' "$f" "$err"
    failed=1
    continue
  fi
  case "$code" in
    200|201)
      verdict=$(json_field "$body" verdict)
      sat=$(satisfies_of "$body")
      again=""; [ "$code" = 200 ] && again=" (đã nộp trước đó / received before)"
      if [ "$verdict" = "valid" ] && [ -n "$sat" ]; then
        printf 'OK    %s -> hợp lệ; đáp ứng: %s%s\n' "$f" "${sat%; }" "$again"
      else
        printf 'CHƯA  %s -> %s; chưa đáp ứng yêu cầu nào%s\n' "$f" "$(verdict_vi "$verdict")" "$again"
        failed=1
      fi
      notes_of "$body" | while IFS= read -r n; do printf '        - %s\n' "$n"; done
      ;;
    *)
      msg=$(json_field "$body" message)
      printf 'LỖI   %s -> HTTP %s: %s\n' "$f" "$code" "${msg:-$body}"
      failed=1
      ;;
  esac
done
exit $failed
