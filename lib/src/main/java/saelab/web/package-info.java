/**
 * The dashboards ({@code saelab serve}): a loopback Javalin server ({@link saelab.web.DashboardServer}) with a JSON
 * API over the same library code the notebooks call, and static pages (plain ES modules and d3 from a WebJar, no
 * frontend build step) under {@code /saelab/web/static} on the classpath. What a server shows is a
 * {@link saelab.web.ServedRun}: the SAEs, analyses and images of one run (the demo's outputs by default).
 */
package saelab.web;
