# shellcheck shell=bash
# retry ATTEMPTS COMMAND [ARGS...]: run COMMAND until it succeeds, at most ATTEMPTS times, waiting
# RETRY_DELAY_S seconds (default 10) between attempts. For hdiutil, whose "Resource busy" is a known
# passing failure on macOS runners (a Spotlight or antivirus scan holding the image). Source it.
retry() {
    local attempts=$1 attempt=1
    shift
    until "$@"; do
        if ((attempt >= attempts)); then
            echo "retry: '$*' failed $attempts times; giving up" >&2
            return 1
        fi
        echo "retry: '$*' failed (attempt $attempt of $attempts); trying again in ${RETRY_DELAY_S:-10} s" >&2
        sleep "${RETRY_DELAY_S:-10}"
        attempt=$((attempt + 1))
    done
}
