/* churn.c: a small churn-risk model that journeys call as
 *
 *     extern "libchurn.so" fn churn_risk(days_since_order: number, orders: number,
 *                                        opens_30d: number) -> number
 *
 * It is built as a shared library (make builds build/examples/native/libchurn.so) and
 * loaded only when the host allows it (journey sim --allow-native=libchurn.so).
 *
 * The model is a logistic regression, the usual first model of churn: the log-odds
 * that a customer has left for good are a weighted sum of what we know about them,
 *
 *     z    = -1.0 + 0.03 * days_since_order - 0.8 * ln(1 + orders) - 0.3 * opens_30d
 *     risk = 1 / (1 + e^-z)                      (a probability, from 0 to 1)
 *
 * The coefficients are made up for the example, chosen to be plausible; a real model
 * is fitted on the shop's own history (who came back, who did not) and exported the
 * same way. Read as odds:
 *   -1.0  the baseline, odds of 0.37 to 1; with its single order counted, a first-time
 *         customer who ordered today and reads no email has z = -1.55, a risk of 0.17.
 *   0.03  each day without an order multiplies the odds by 1.03: 2.5 times a month.
 *   -0.8  loyalty, on a log scale: the 2nd order matters more than the 10th; every
 *         doubling of (1 + orders) divides the odds by 1.7.
 *   -0.3  each email opened in the last 30 days divides the odds by 1.35: customers who
 *         still read us are easier to win back.
 *
 * Inputs outside their domain (negative or not finite) get NaN, which the journey VM
 * reports as a run-time error of the calling journey: a wrong call is seen, never
 * silently scored.
 *
 * A library states the signature of each function it offers to journeys, as the
 * extern declares it: parameter types (n number, s string, b bool), ':', the result
 * type. The VM refuses to load a program whose extern does not match. */
#include <math.h>

double churn_risk(double days_since_order, double orders, double opens_30d);

const char journey_signature_churn_risk[] = "nnn:n";

static const double INTERCEPT = -1.0;
static const double PER_QUIET_DAY = 0.03;
static const double PER_LOG_ORDER = -0.8;
static const double PER_RECENT_OPEN = -0.3;

double churn_risk(double days_since_order, double orders, double opens_30d)
{
    if (!(days_since_order >= 0 && orders >= 0 && opens_30d >= 0) || !isfinite(days_since_order) ||
        !isfinite(orders) || !isfinite(opens_30d))
        return NAN;
    double z = INTERCEPT + PER_QUIET_DAY * days_since_order + PER_LOG_ORDER * log1p(orders) +
               PER_RECENT_OPEN * opens_30d;
    return 1 / (1 + exp(-z));
}
