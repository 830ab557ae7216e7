import { describe, expect, it } from "vitest";
import { mayHoldCredential, scrubSecrets } from "../../../shared/security/scrub-secrets.js";

describe("scrubSecrets", () => {
  it.each([
    [
      "Incorrect API key provided: sk-proj-abc1*************************wxyz. You can find your API key at https://platform.openai.com/account/api-keys.",
      "Incorrect API key provided: [redacted] You can find your API key at https://platform.openai.com/account/api-keys.",
    ],
    ["Incorrect API key provided: my-custom-key.", "Incorrect API key provided: [redacted]"],
    ["bad key sk-test-upstream here", "bad key [redacted] here"],
    ["got rgw_0123abc_XYZ-_9", "got [redacted]"],
    ['header "Bearer abc.def" refused', 'header "Bearer [redacted]" refused'],
    ["The model `gpt-x` does not exist", "The model `gpt-x` does not exist"],
  ])("scrubs %j", (input, expected) => {
    expect(scrubSecrets(input)).toBe(expected);
  });

  it("stays linear on long hostile input", () => {
    const hostile = `${"sk-".repeat(20_000)}${"Bearer ".repeat(20_000)}${"api key provided: ".repeat(5_000)}`;
    expect(scrubSecrets(hostile)).not.toContain("Bearer B");
  });
});

describe("mayHoldCredential", () => {
  it.each([
    "x sk-abc",
    "rgw_1",
    "Incorrect API KEY provided: k",
    "BEARER x",
    "basic\tx",
    "Authorization: Bearer\nabc",
  ])("says %j needs scrubbing", (text) => {
    expect(mayHoldCredential(text)).toBe(true);
  });

  it("lets a request line without any credential's marks through unchanged", () => {
    const line =
      '{"level":"info","event":"request","route":"/v1/query","status":200,"cache":"HIT-MEMORY"}';
    expect(mayHoldCredential(line)).toBe(false);
    expect(scrubSecrets(line)).toBe(line);
  });
});
