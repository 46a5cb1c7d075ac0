/** Azure's outbound port-25 policy per offer type, as data with its sources, and the rules that apply it. */
package io.smtpprobe.policy;
