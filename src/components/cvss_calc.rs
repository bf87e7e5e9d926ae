//! The CVSS calculator: the base metrics of v3.1 or v4.0 as labelled radio groups that build
//! the vector in the CVSS field as the researcher picks, so the live score follows. The field
//! is the one truth: a typed or pasted vector sets the pickers. Metric and value names are the
//! specification's own terms (as in the vector), so they are not translated.

use yew::prelude::*;

use crate::i18n::{fill, Strings};

/// A base metric: its abbreviation, its name, and its values (abbreviation, name).
struct Metric {
    key: &'static str,
    name: &'static str,
    values: &'static [(&'static str, &'static str)],
}

const HLN: &[(&str, &str)] = &[("H", "High"), ("L", "Low"), ("N", "None")];
const AV: &[(&str, &str)] = &[
    ("N", "Network"),
    ("A", "Adjacent"),
    ("L", "Local"),
    ("P", "Physical"),
];
const LH: &[(&str, &str)] = &[("L", "Low"), ("H", "High")];
const NLH: &[(&str, &str)] = &[("N", "None"), ("L", "Low"), ("H", "High")];

/// The three metrics v3.1 and v4.0 share.
const ATTACK_VECTOR: Metric = Metric {
    key: "AV",
    name: "Attack Vector",
    values: AV,
};
const ATTACK_COMPLEXITY: Metric = Metric {
    key: "AC",
    name: "Attack Complexity",
    values: LH,
};
const PRIVILEGES: Metric = Metric {
    key: "PR",
    name: "Privileges Required",
    values: NLH,
};

const V31: &[Metric] = &[
    ATTACK_VECTOR,
    ATTACK_COMPLEXITY,
    PRIVILEGES,
    Metric {
        key: "UI",
        name: "User Interaction",
        values: &[("N", "None"), ("R", "Required")],
    },
    Metric {
        key: "S",
        name: "Scope",
        values: &[("U", "Unchanged"), ("C", "Changed")],
    },
    Metric {
        key: "C",
        name: "Confidentiality",
        values: HLN,
    },
    Metric {
        key: "I",
        name: "Integrity",
        values: HLN,
    },
    Metric {
        key: "A",
        name: "Availability",
        values: HLN,
    },
];

const V40: &[Metric] = &[
    ATTACK_VECTOR,
    ATTACK_COMPLEXITY,
    Metric {
        key: "AT",
        name: "Attack Requirements",
        values: &[("N", "None"), ("P", "Present")],
    },
    PRIVILEGES,
    Metric {
        key: "UI",
        name: "User Interaction",
        values: &[("N", "None"), ("P", "Passive"), ("A", "Active")],
    },
    Metric {
        key: "VC",
        name: "Vulnerable System Confidentiality",
        values: HLN,
    },
    Metric {
        key: "VI",
        name: "Vulnerable System Integrity",
        values: HLN,
    },
    Metric {
        key: "VA",
        name: "Vulnerable System Availability",
        values: HLN,
    },
    Metric {
        key: "SC",
        name: "Subsequent System Confidentiality",
        values: HLN,
    },
    Metric {
        key: "SI",
        name: "Subsequent System Integrity",
        values: HLN,
    },
    Metric {
        key: "SA",
        name: "Subsequent System Availability",
        values: HLN,
    },
];

/// The version and the base metrics picked in `vector` (unknown or repeated ones ignored).
fn picks(vector: &str, default_v4: bool) -> (bool, Vec<(&'static str, &'static str)>) {
    let v = vector.trim();
    let v4 = if v.starts_with("CVSS:4.0/") {
        true
    } else if v.starts_with("CVSS:3.1/") {
        false
    } else {
        default_v4
    };
    let metrics = if v4 { V40 } else { V31 };
    let mut out = Vec::new();
    for part in v.split('/').skip(1) {
        let Some((k, val)) = part.split_once(':') else {
            continue;
        };
        if let Some(m) = metrics.iter().find(|m| m.key == k) {
            if let Some((a, _)) = m.values.iter().find(|(a, _)| *a == val) {
                if !out.iter().any(|(key, _)| *key == m.key) {
                    out.push((m.key, *a));
                }
            }
        }
    }
    (v4, out)
}

/// The vector of `picked`, in the specification's order; empty when nothing is picked.
fn vector(v4: bool, picked: &[(&str, &str)]) -> String {
    if picked.is_empty() {
        return String::new();
    }
    let mut s = String::from(if v4 { "CVSS:4.0" } else { "CVSS:3.1" });
    for m in if v4 { V40 } else { V31 } {
        if let Some((_, val)) = picked.iter().find(|(k, _)| *k == m.key) {
            s.push('/');
            s.push_str(m.key);
            s.push(':');
            s.push_str(val);
        }
    }
    s
}

#[derive(Properties, PartialEq)]
pub struct CalcProps {
    pub t: &'static Strings,
    /// The CVSS field's value.
    pub vector: AttrValue,
    pub on_vector: Callback<String>,
}

#[component]
pub fn CvssCalculator(p: &CalcProps) -> Html {
    let t = p.t;
    // The version chosen while no vector says one.
    let chosen_v4 = use_state(|| false);
    let (v4, picked) = picks(&p.vector, *chosen_v4);
    let metrics = if v4 { V40 } else { V31 };
    let left = metrics.len() - picked.len();
    let version = |four: bool| {
        let (on_vector, chosen_v4, picked) =
            (p.on_vector.clone(), chosen_v4.clone(), picked.clone());
        Callback::from(move |_: Event| {
            chosen_v4.set(four);
            // The picks valid in the other version stay.
            let keep: Vec<(&str, &str)> = picked
                .iter()
                .copied()
                .filter(|(k, val)| {
                    (if four { V40 } else { V31 })
                        .iter()
                        .any(|m| m.key == *k && m.values.iter().any(|(a, _)| a == val))
                })
                .collect();
            on_vector.emit(vector(four, &keep));
        })
    };
    html! {
        <details class="sd-calc" id="sd-cvss-calc">
            <summary>{ t.cvss_calculator() }</summary>
            <p class="sd-hint">{ t.cvss_pick() }</p>
            <fieldset class="sd-calc-metric">
                <legend>{ t.cvss_version() }</legend>
                <div class="sd-calc-values">
                    <span><input type="radio" id="sd-cvss-v31" name="sd-cvss-version" checked={!v4} onchange={version(false)} />
                        <label for="sd-cvss-v31">{ "3.1" }</label></span>
                    <span><input type="radio" id="sd-cvss-v40" name="sd-cvss-version" checked={v4} onchange={version(true)} />
                        <label for="sd-cvss-v40">{ "4.0" }</label></span>
                </div>
            </fieldset>
            { for metrics.iter().map(|m| {
                let now = picked.iter().find(|(k, _)| *k == m.key).map(|(_, v)| *v);
                html! {
                    <fieldset class="sd-calc-metric">
                        <legend>{ format!("{} ({})", m.name, m.key) }</legend>
                        <div class="sd-calc-values">
                            { for m.values.iter().map(|(a, name)| {
                                // ASCII only: `to_lowercase` would link Unicode case tables (15 KB).
                                let id = format!("sd-cvss-{}-{}", m.key, a).to_ascii_lowercase();
                                let onchange = {
                                    let (on_vector, picked, key, a) = (p.on_vector.clone(), picked.clone(), m.key, *a);
                                    Callback::from(move |_: Event| {
                                        let mut next: Vec<(&str, &str)> = picked.iter().copied().filter(|(k, _)| *k != key).collect();
                                        next.push((key, a));
                                        on_vector.emit(vector(v4, &next));
                                    })
                                };
                                html! {
                                    <span>
                                        <input type="radio" id={id.clone()} name={format!("sd-cvss-{}", m.key)} checked={now == Some(*a)} {onchange} />
                                        <label for={id}>{ format!("{name} ({a})") }</label>
                                    </span>
                                }
                            }) }
                        </div>
                    </fieldset>
                }
            }) }
            if left > 0 { <p class="sd-hint" id="sd-cvss-left">{ fill(t.cvss_missing(), &[("n", &left.to_string())]) }</p> }
        </details>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_vector_sets_the_picks_and_the_picks_make_the_vector() {
        let full = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H";
        let (v4, p) = picks(full, true);
        assert!(!v4 && p.len() == 8);
        assert_eq!(vector(false, &p), full);
        // Order follows the specification, whatever the order of picking.
        assert_eq!(
            vector(false, &[("C", "H"), ("AV", "N")]),
            "CVSS:3.1/AV:N/C:H"
        );
        let v40 = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N";
        let (v4, p) = picks(v40, false);
        assert!(v4 && p.len() == 11);
        assert_eq!(vector(true, &p), v40);
        // Unknown metrics and values, repeats and garbage are ignored; no vector keeps the
        // chosen version.
        let (v4, p) = picks("CVSS:3.1/AV:X/AC:L/AC:H/E:F/junk", true);
        assert!(!v4);
        assert_eq!(p, [("AC", "L")]);
        assert_eq!(picks("", true), (true, Vec::new()));
        assert_eq!(vector(true, &[]), "");
    }
}
