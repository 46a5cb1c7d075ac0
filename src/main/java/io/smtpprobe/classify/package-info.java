/** Judges probe results against the policy: expectation, verdict, and the diagnosis of a whole round. */
package io.smtpprobe.classify;
