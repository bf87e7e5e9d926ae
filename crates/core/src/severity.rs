//! CVSS vectors, validated and scored by the RustSec `cvss` crate (feature `cvss`).

#[cfg(feature = "cvss")]
use std::str::FromStr;

/// A vector's base score and qualitative rating.
#[derive(Clone, Copy, PartialEq, Debug)]
pub struct Score {
    pub score: f64,
    pub rating: &'static str,
}

impl Score {
    /// The score with one decimal, as CVSS writes it (`9.8`). Formatted by hand: float
    /// formatting would add 14 KB to the widget.
    pub fn display(&self) -> String {
        tenths(self.score)
    }
}

/// `9.8` from 9.8, `10.0` from 10.
pub fn tenths(score: f64) -> String {
    let t = (score * 10.0).round() as u32;
    format!("{}.{}", t / 10, t % 10)
}

/// Why a CVSS vector was refused.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum CvssError {
    /// Not `CVSS:3.1/…` or `CVSS:4.0/…`.
    UnsupportedVersion,
    /// The right prefix, but a metric is missing, unknown or has an invalid value.
    InvalidMetrics,
    /// Built without a scorer, and no score was given for the vector (the form's scorer module
    /// has not answered, or could not load).
    Unscored,
}

/// The rating's name for a score of CVSS v3.1 or v4.0 (`none` … `critical`), as the scorer
/// module reports it.
pub fn rating_of(name: &str) -> Option<&'static str> {
    ["none", "low", "medium", "high", "critical"]
        .into_iter()
        .find(|r| *r == name)
}

/// Checks the version prefix only: what can be said without a scorer.
///
/// # Errors
/// [`CvssError::UnsupportedVersion`] unless it starts `CVSS:3.1/` or `CVSS:4.0/`.
pub fn check_version(vector: &str) -> Result<(), CvssError> {
    let v = vector.trim();
    if v.starts_with("CVSS:3.1/") || v.starts_with("CVSS:4.0/") {
        Ok(())
    } else {
        Err(CvssError::UnsupportedVersion)
    }
}

/// Validates a CVSS v3.1 or v4.0 vector and scores it.
#[cfg(feature = "cvss")]
///
/// # Errors
/// [`CvssError`] says whether the version or the metrics are wrong.
pub fn score_vector(vector: &str) -> Result<Score, CvssError> {
    let v = vector.trim();
    check_version(v)?;
    // The cvss crate scores a v3 vector with missing base metrics as 0.0; a report's score
    // must come from a complete vector.
    if v.starts_with("CVSS:3.1/") {
        let keys: Vec<&str> = v
            .split('/')
            .skip(1)
            .filter_map(|m| m.split(':').next())
            .collect();
        let complete = ["AV", "AC", "PR", "UI", "S", "C", "I", "A"]
            .iter()
            .all(|k| keys.iter().filter(|x| *x == k).count() == 1);
        if !complete {
            return Err(CvssError::InvalidMetrics);
        }
    }
    let parsed = cvss::Cvss::from_str(v).map_err(|_| CvssError::InvalidMetrics)?;
    Ok(Score {
        score: parsed.score(),
        rating: parsed.severity().as_str(),
    })
}

#[cfg(all(test, feature = "cvss"))]
mod tests {
    use super::*;

    #[test]
    fn scores_v31_and_v40() {
        let s = score_vector("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H").unwrap();
        assert_eq!((s.score, s.rating), (9.8, "critical"));
        let s = score_vector("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N").unwrap();
        assert_eq!((s.score, s.rating), (6.1, "medium"));
        let s = score_vector("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H")
            .unwrap();
        assert_eq!((s.score, s.rating), (10.0, "critical"));
        assert_eq!(s.display(), "10.0");
        assert_eq!(tenths(9.8), "9.8");
        assert_eq!(tenths(0.0), "0.0");
    }

    #[test]
    fn refuses_old_versions_and_bad_metrics() {
        assert_eq!(
            score_vector("AV:N/AC:L/Au:N/C:P/I:P/A:P"),
            Err(CvssError::UnsupportedVersion)
        );
        assert_eq!(
            score_vector("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
            Err(CvssError::UnsupportedVersion)
        );
        assert_eq!(
            score_vector("CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
            Err(CvssError::InvalidMetrics)
        );
        assert_eq!(
            score_vector("CVSS:3.1/AV:N"),
            Err(CvssError::InvalidMetrics)
        );
    }
}
