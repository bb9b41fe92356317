import { describe, expect, test } from "bun:test";
import { blockedReason, parseIp } from "../../src/tools/http/ip-address.ts";

function reason(address: string): string | undefined {
  const ip = parseIp(address);
  if (!ip) throw new Error(`not an address: ${address}`);
  return blockedReason(ip);
}

describe("SSRF guard: special-purpose addresses", () => {
  test.each([
    ["192.0.2.1", "documentation (TEST-NET-1)"],
    ["198.51.100.77", "documentation (TEST-NET-2)"],
    ["203.0.113.255", "documentation (TEST-NET-3)"],
    ["198.18.0.1", "benchmarking"],
    ["198.19.255.254", "benchmarking"],
    ["100.64.0.1", "carrier-grade NAT"],
    ["100.127.255.255", "carrier-grade NAT"],
    ["192.0.0.8", "IETF protocol assignments"],
    ["192.88.99.1", "6to4 relay anycast"],
    ["240.0.0.1", "reserved"],
    ["255.255.255.255", "limited broadcast"],
    ["0.1.2.3", "unspecified (0.0.0.0/8)"],
    ["::", "unspecified (::)"],
    ["::1", "loopback"],
    ["::ffff:192.0.2.1", "documentation (TEST-NET-1) (IPv4 inside IPv4-mapped IPv6)"],
    ["::ffff:7f00:1", "loopback (IPv4 inside IPv4-mapped IPv6)"],
    ["::ffff:0:a00:1", "private (IPv4 inside IPv4-translated IPv6)"],
    ["64:ff9b::10.0.0.1", "private (IPv4 inside NAT64 IPv6)"],
    ["64:ff9b::7f00:1", "loopback (IPv4 inside NAT64 IPv6)"],
    ["64:ff9b:1::1", "local-use NAT64"],
    ["::7f00:1", "IPv4-compatible (deprecated)"],
    ["100::1", "discard-only"],
    ["2001::1", "IETF protocol assignments"],
    ["2001:1ff:ffff::1", "IETF protocol assignments"],
    ["2001:db8::1", "documentation"],
    ["3fff::1", "documentation"],
    ["fc00::1", "unique-local"],
    ["fdff::1", "unique-local"],
    ["fe80::1", "link-local"],
    ["febf::1", "link-local"],
    ["ff02::1", "multicast"],
    ["2002:7f00:1::1", "loopback (IPv4 inside 6to4 IPv6)"],
    ["2002:c0a8:101::", "private (IPv4 inside 6to4 IPv6)"],
    ["2002:a9fe:a9fe::1", "cloud metadata (IPv4 inside 6to4 IPv6)"],
  ])("%s is refused as %s", (address, expected) => {
    expect(reason(address)).toBe(expected);
  });

  test.each([
    "8.8.8.8",
    "1.1.1.1",
    "192.0.3.1",
    "198.17.255.255",
    "198.20.0.1",
    "100.128.0.1",
    "203.0.114.1",
  ])("%s is public", (address) => {
    expect(reason(address)).toBeUndefined();
  });

  test.each(["2606:4700:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1", "2001:200::1"])(
    "%s is public",
    (address) => {
      expect(reason(address)).toBeUndefined();
    },
  );
});
