// The Train page's option form, generated from declarations in jsdom.
import { describe, expect, it } from "vitest";
import { optionFields } from "../src/pages/train";
import { collectOptions, OptionDecl } from "../src/lib/options";

const decls: OptionDecl[] = [
  { name: "max_iterations", type: "int", default: 20, min: 1, max: 1000, min_exclusive: false, max_exclusive: false, allowed: [], scale: "linear", range: "", help: "Boosting rounds" },
  { name: "booster_type", type: "enum", default: "GBTREE", min: null, max: null, min_exclusive: false, max_exclusive: false, allowed: ["GBTREE", "DART"], scale: "linear", range: "", help: "Booster" },
  { name: "early_stop", type: "bool", default: true, min: null, max: null, min_exclusive: false, max_exclusive: false, allowed: [], scale: "linear", range: "", help: "Stop early" },
];

describe("optionFields", () => {
  it("renders a labelled control with help and range per option", () => {
    const { element } = optionFields(decls);
    document.body.replaceChildren(element);
    for (const d of decls) {
      const control = element.querySelector<HTMLElement>(`[name="${d.name}"]`)!;
      expect(control).not.toBeNull();
      const label = element.querySelector(`label[for="${control.id}"]`);
      expect(label?.textContent).toContain(d.name);
      const help = document.getElementById(control.getAttribute("aria-describedby")!);
      expect(help?.textContent).toContain(d.help);
    }
    const iters = element.querySelector<HTMLInputElement>('[name="max_iterations"]')!;
    expect(iters.type).toBe("number");
    expect(iters.min).toBe("1");
    expect(iters.max).toBe("1000");
    expect(document.getElementById(iters.getAttribute("aria-describedby")!)?.textContent).toContain("[1, 1000]");
    expect(element.querySelector<HTMLSelectElement>('[name="booster_type"]')!.value).toBe("GBTREE");
    expect(element.querySelector<HTMLInputElement>('[name="early_stop"]')!.checked).toBe(true);
  });
  it("reads what the user set", () => {
    const { element, read } = optionFields(decls);
    element.querySelector<HTMLInputElement>('[name="max_iterations"]')!.value = "50";
    element.querySelector<HTMLInputElement>('[name="early_stop"]')!.checked = false;
    expect(collectOptions(decls, read())).toEqual({ options: { max_iterations: 50, early_stop: false }, errors: [] });
  });
});
