/**
 * The pure half of every job: plain data in, a verdict with a reason out. No JDBC, Jdbi, gRPC or
 * scheduler types may appear here (a test reads these sources and fails the build if they do), so
 * every decision can be tested exhaustively without a database.
 */
package dev.instanode.worker.decision;
