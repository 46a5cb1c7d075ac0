/** The configuration: immutable records parsed once from YAML, and the loader that validates them. */
package io.smtpprobe.config;
