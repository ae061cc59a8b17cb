/* classify describe: fault codes, verdicts and faults in words for the person at the bench. */
#include "internal/classifier.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define ARROW "\xE2\x86\x94"   /* ↔ */
#define DASH "\xE2\x80\x94"    /* — */
#define OHM "\xCE\xA9"         /* Ω */

static const char *const fault_names[FAULT_COUNT] = {
	"lr_swap", "polarity_inverted", "ctia_omtp_mismatch", "trrs_in_trs", "open", "short",
	"miswire", "high_resistance", "crosstalk", "intermittent", "unrecognized_wiring",
	"no_signal", "clipping", "low_snr", "jig_mismatch",
};

/* Each code as a diagnosis in a sentence ("this jig cannot tell it from …"). */
static const char *const fault_phrases[FAULT_COUNT] = {
	"a left/right swap", "an inverted polarity", "a CTIA/OMTP mismatch", "a TRRS plug in a TRS jack",
	"an open conductor", "a short", "a miswire", "a high resistance", "crosstalk", "an intermittent contact",
	"an unrecognized wiring", "no signal", "clipping", "too much noise", "a jig that does not match",
};

const char *fault_code_name(enum fault_code c)
{
	if ((int)c < 0 || c >= FAULT_COUNT)
		return "?";
	return fault_names[c];
}

const char *verdict_name(enum verdict v)
{
	switch (v) {
	case VERDICT_PASS: return "pass";
	case VERDICT_FAIL: return "fail";
	case VERDICT_ERROR: return "error";
	}
	return "?";
}

static const char *channel_word(const char *ch)
{
	if (strcmp(ch, "L") == 0)
		return "left";
	if (strcmp(ch, "R") == 0)
		return "right";
	if (strcmp(ch, "SIG") == 0 || strcmp(ch, "mono") == 0)
		return "signal";
	return ch;
}

/* Where the fault is, as an operator says it: the classifier's place, or
 * one made from the channel name ("right channel", "signal"). */
static void place_text(const struct fault *ft, char *buf, size_t len)
{
	const char *w = channel_word(ft->channel);
	if (ft->place[0])
		snprintf(buf, len, "%s", ft->place);
	else if (!ft->channel[0])
		buf[0] = '\0';
	else if (strcmp(w, "signal") == 0)
		snprintf(buf, len, "signal");
	else
		snprintf(buf, len, "%s channel", w);
}

/* A place that names a plug ("right earpiece", "left plug"), not a channel. */
static int names_plug(const char *place)
{
	size_t n = strlen(place);
	return (n > 8 && strcmp(place + n - 8, "earpiece") == 0) || (n > 4 && strcmp(place + n - 4, "plug") == 0);
}

/* A role as people write it: "R−" with a real minus sign. */
static void role_text(enum role r, char *buf, size_t len)
{
	const char *n = role_name(r);
	size_t l = strlen(n);
	if (l && n[l - 1] == '-')
		snprintf(buf, len, "%.*s\xE2\x88\x92", (int)(l - 1), n);
	else
		snprintf(buf, len, "%s", n);
}

static const char *cname(const struct fixture *f, const struct fault *ft, unsigned k)
{
	if (k >= ft->n_contacts || ft->contacts[k] < 0 || (unsigned)ft->contacts[k] >= f->n_contacts)
		return "?";
	return f->contact[ft->contacts[k]].name;
}

static enum role crole(const struct fixture *f, const struct fault *ft, unsigned k)
{
	if (k >= ft->n_contacts || ft->contacts[k] < 0 || (unsigned)ft->contacts[k] >= f->n_contacts)
		return ROLE_NONE;
	return f->contact[ft->contacts[k]].role;
}

/* Ohms as people write them: "0.5 Ω", "47 Ω", "3.0 kΩ", "1.2 MΩ". */
static void format_ohms(double r, char *buf, size_t len)
{
	if (r >= 1e6)
		snprintf(buf, len, "%.1f M" OHM, r / 1e6);
	else if (r >= 1e3)
		snprintf(buf, len, "%.1f k" OHM, r / 1e3);
	else if (r >= 10)
		snprintf(buf, len, "%.0f " OHM, r);
	else
		snprintf(buf, len, "%.2g " OHM, r);
}

static int describe_swap(const struct fixture *f, const struct fault *ft, char *buf, unsigned len)
{
	const char *a = cname(f, ft, 0), *b = cname(f, ft, 1);
	char where[32];
	place_text(ft, where, sizeof(where));
	const char *noun = !names_plug(where) ? "" : strstr(where, "earpiece") ? " earpieces" : " plugs";
	if (ft->n_contacts >= 4)
		return snprintf(buf, len, "Left and right%s are swapped, both legs (%s " ARROW " %s, %s " ARROW " %s)",
		                noun, a, b, cname(f, ft, 2), cname(f, ft, 3));
	return snprintf(buf, len, "Left and right%s are swapped (%s " ARROW " %s)", noun, a, b);
}

static int describe_polarity(const struct fixture *f, const struct fault *ft, char *buf, unsigned len)
{
	const char *a = cname(f, ft, 0), *b = cname(f, ft, 1);
	enum role x = crole(f, ft, 0), y = crole(f, ft, 1);
	char where[32], pair[48], r0[16], r1[16];

	place_text(ft, where, sizeof(where));
	if (!where[0])
		snprintf(where, sizeof(where), "signal");
	if (role_is_ground(x) || role_is_ground(y)) {
		/* An unbalanced channel: its signal and its return exchanged. */
		snprintf(pair, sizeof(pair), "signal and ground");
	} else {
		role_text(x, r0, sizeof(r0));
		role_text(y, r1, sizeof(r1));
		snprintf(pair, sizeof(pair), "%s and %s", r0, r1);
	}
	if (names_plug(where)) {
		/* "Right earpiece: polarity inverted (its + and − are swapped: …)" */
		char head[32];
		snprintf(head, sizeof(head), "%s", where);
		head[0] = (char)(head[0] >= 'a' && head[0] <= 'z' ? head[0] - 'a' + 'A' : head[0]);
		return snprintf(buf, len, "%s: polarity inverted (its %s are swapped: %s " ARROW " %s)", head, pair, a, b);
	}
	if (strcmp(pair, "signal and ground") == 0 && !ft->channel[0])
		return snprintf(buf, len, "Signal and ground are swapped (%s " ARROW " %s): polarity inverted", a, b);
	if (strcmp(pair, "signal and ground") == 0) {
		char word[24];
		snprintf(word, sizeof(word), "%s", channel_word(ft->channel[0] ? ft->channel : "signal"));
		word[0] = (char)(word[0] >= 'a' && word[0] <= 'z' ? word[0] - 'a' + 'A' : word[0]);
		return snprintf(buf, len, "%s signal and ground are swapped (%s " ARROW " %s): %s polarity inverted", word,
		                a, b, where);
	}
	return snprintf(buf, len, "%s are swapped (%s " ARROW " %s): %s polarity inverted", pair, a, b, where);
}

static int describe_wiring(const struct fixture *f, const struct fault *ft, char *buf, unsigned len)
{
	const char *a = cname(f, ft, 0), *b = cname(f, ft, 1);
	char where[32], ohms[32];
	place_text(ft, where, sizeof(where));
	switch (ft->code) {
	case FAULT_CTIA_OMTP_MISMATCH:
		return snprintf(buf, len, "Ground and microphone are swapped (%s " ARROW " %s): a CTIA plug on an OMTP device "
		                "or the reverse " DASH " voices vanish (karaoke effect)", a, b);
	case FAULT_TRRS_IN_TRS:
		return snprintf(buf, len, "Microphone shorted to ground (%s \xE2\x80\x93 %s, %.2g " OHM "): "
		                "as a TRRS plug in a TRS jack does", a, b, ft->value);
	case FAULT_OPEN:
		if (names_plug(where))
			return snprintf(buf, len, "Open conductor: %s does not reach %s (%s)", a, b, where);
		return snprintf(buf, len, "Open conductor: %s does not reach %s", a, b);
	case FAULT_SHORT:
		format_ohms(ft->value, ohms, sizeof(ohms));
		return snprintf(buf, len, "Short between %s and %s (%s)%s", a, b, ohms,
		                ft->flags & FAULT_FLAG_EITHER_END ? ", at this end or the other" : "");
	case FAULT_MISWIRE:
		if (ft->flags & FAULT_FLAG_END_REVERSED)
			return snprintf(buf, len, "The cable is in the jig the wrong way round (its ends are swapped)");
		if (ft->flags & FAULT_FLAG_UNUSED_CONTACT)
			return snprintf(buf, len, "Miswired: %s reaches %s, a contact this cable leaves unused", a, b);
		if (ft->n_contacts > 2)
			return snprintf(buf, len, "Miswired: %s, %s and %s reach the wrong far-end contacts", a, b,
			                cname(f, ft, 2));
		return snprintf(buf, len, "Miswired: %s and %s reach each other's far-end contacts", a, b);
	case FAULT_HIGH_RESISTANCE:
		if (ft->n_contacts >= 2 && ft->value > 0.0) {
			format_ohms(ft->value, ohms, sizeof(ohms));
			return snprintf(buf, len, "High resistance from %s to %s: %s in series", a, b, ohms);
		}
		return snprintf(buf, len, "The %s is too quiet: resistance in series", where[0] ? where : "signal");
	default:
		return snprintf(buf, len, "Unknown fault");
	}
}

static int describe_station(const struct fixture *f, const struct fault *ft, char *buf, unsigned len)
{
	const char *a = cname(f, ft, 0);
	char where[32];
	place_text(ft, where, sizeof(where));
	switch (ft->code) {
	case FAULT_CROSSTALK:
		return snprintf(buf, len, "Crosstalk into the %s: %.1f dB", where[0] ? where : "signal", ft->value);
	case FAULT_INTERMITTENT:
		return snprintf(buf, len, "Intermittent contact on %s: %.0f dropouts while flexed", a, ft->value);
	case FAULT_UNRECOGNIZED_WIRING:
		if (ft->channel[0])
			return snprintf(buf, len, "The %s is outside its limits in a way no wiring fault explains", where);
		return snprintf(buf, len, "The wiring matches no known fault: see what reaches where");
	case FAULT_NO_SIGNAL:
		return snprintf(buf, len, "No test tone reached any input: is the cable plugged in?");
	case FAULT_CLIPPING:
		return snprintf(buf, len, "The input sensing %s clipped: lower the output level or the input gain", a);
	case FAULT_LOW_SNR:
		if (ft->flags & FAULT_FLAG_MODEL_LIMITED)
			return snprintf(buf, len, "Undecided although the signal is clean (%.0f dB SNR): the levels sit "
			                "within the jig's own uncertainty of a limit or of another wiring; calibrate the "
			                "jig with a golden cable (tonewire calibrate)", ft->value);
		return snprintf(buf, len, "Too noisy to decide (%.0f dB SNR): check the cable is seated and the jig grounded",
		                ft->value);
	case FAULT_JIG_MISMATCH: {
		char in[72];
		if (ft->n_contacts >= 3)
			snprintf(in, sizeof(in), "+%s \xE2\x88\x92%s", cname(f, ft, 1), cname(f, ft, 2));
		else
			snprintf(in, sizeof(in), "%s", cname(f, ft, 1));
		return snprintf(buf, len, "The measurement does not fit jig '%s': %s reaches input %s %.1f dB above the "
		                "most any cable can give through this jig " DASH " is the jig file right for this "
		                "fixture?", f->jig, a, in, ft->value);
	}
	default:
		return describe_wiring(f, ft, buf, len);
	}
}

/* ". This jig cannot tell it from an open conductor; a per-contact jig … can",
 * or, for a second fault that may come on top, ". The measurement hints at
 * a high resistance as well …" */
static int describe_alternatives(const struct fault *ft, char *buf, size_t len)
{
	char list[160] = "";
	size_t used = 0;
	unsigned n = 0, total = 0;

	for (int k = 0; k < FAULT_COUNT; k++)
		total += (ft->alternatives >> k) & 1u;
	for (int k = 0; k < FAULT_COUNT && used < sizeof(list); k++) {
		if (!(ft->alternatives & (1u << k)))
			continue;
		n++;
		used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s", n == 1 ? "" : n == total ? " or " : ", ",
		                         fault_phrases[k]);
	}
	if ((ft->flags & FAULT_FLAG_ALT_ALSO) && !(ft->flags & (FAULT_FLAG_ALT_THIS_JIG | FAULT_FLAG_ALT_NOISE)))
		return snprintf(buf, len, ". The measurement hints at %s as well, too faintly to name at this noise; "
		                "a quieter measurement can tell", list);
	const char *who = ft->flags & FAULT_FLAG_ALT_PER_CONTACT
	                          ? "a per-contact jig (every contact driven and sensed on its own) can"
	                          : "no jig that drives one end and senses the other can";
	if (ft->flags & FAULT_FLAG_ALT_THIS_JIG)
		return snprintf(buf, len, ". This jig cannot tell it from %s; %s", list, who);
	return snprintf(buf, len, ". At this noise it cannot be told from %s; a quieter measurement%s", list,
	                ft->flags & FAULT_FLAG_ALT_PER_CONTACT ? " or a per-contact jig can" : " can");
}

int classify_describe(const struct fixture *f, const struct fault *ft, char *buf, unsigned len)
{
	int n;

	if (!f || !ft || !buf || len == 0)
		return -EINVAL;
	if (ft->code == FAULT_LR_SWAP)
		n = describe_swap(f, ft, buf, len);
	else if (ft->code == FAULT_POLARITY_INVERTED)
		n = describe_polarity(f, ft, buf, len);
	else
		n = describe_station(f, ft, buf, len);
	if (n >= 0 && (unsigned)n < len && ft->alternatives) {
		int m = describe_alternatives(ft, buf + n, len - (unsigned)n);
		n = m < 0 ? m : n + m;
	}
	return n < 0 ? -EINVAL : (unsigned)n >= len ? -ENOSPC : 0;
}
