/* fuzz_capture: reading a saved capture back (tonewire analyze: the stimulus plan JSON and the WAV beside it).
 *
 * The loader is static inside cli/cmd_analyze.c, so this file includes it
 * and runs cmd_analyze on the two files the input holds: two bytes of plan
 * length (little endian), the plan, then the WAV.
 */
#include "../../cli/cmd_analyze.c"

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

void cli_error(const char *fmt, ...)
{
	(void)fmt;   /* the messages are e2e.bad_input's business; here only crashes count */
}

int cli_emit_result(json_t *res, int as_json, const char *junit)
{
	(void)as_json, (void)junit;
	return json_is_object(res) ? 0 : 3;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char wav[512], plan[512];
	if (size < 2)
		return 0;
	size_t n = (size_t)data[0] | (size_t)data[1] << 8;
	if (n > size - 2)
		n = size - 2;
	snprintf(plan, sizeof(plan), "%s", fuzz_file("capture.json", data + 2, n));
	snprintf(wav, sizeof(wav), "%s", fuzz_file("capture.wav", data + 2 + n, size - 2 - n));
	char *argv[] = { "analyze", wav, "--plan", plan, "--json", "--profiles", TONEWIRE_SOURCE_DIR "/profiles", NULL };
	cmd_analyze(7, argv);
	return 0;
}
