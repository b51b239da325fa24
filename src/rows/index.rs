//! Lookups built once per dataset, so deriving rows stays linear in the cluster's size
//! (a 50,000-pod cluster must not do 50,000 linear scans of the pod list).

use irsa_core::analysis::audit::AuditReport;
use irsa_core::analysis::hash::HashMap;
use irsa_core::model::{
    Finding, FindingCode, Inventory, PodInfo, ServiceAccountInfo, Severity, Subject,
};

/// Indexes over one inventory and its report.
pub(super) struct Index<'a> {
    pub inventory: &'a Inventory,
    pub report: &'a AuditReport,
    service_accounts: HashMap<(&'a str, &'a str), &'a ServiceAccountInfo>,
    /// Findings about a subject or naming it as related, in report order (worst first).
    involving: HashMap<&'a Subject, Vec<&'a Finding>>,
    /// The first (worst) severity the report gives each code.
    code_severity: HashMap<FindingCode, Severity>,
}

impl<'a> Index<'a> {
    pub fn new(inventory: &'a Inventory, report: &'a AuditReport) -> Index<'a> {
        let mut involving: HashMap<&Subject, Vec<&Finding>> = HashMap::default();
        let mut code_severity = HashMap::default();
        for f in &report.findings {
            involving.entry(&f.subject).or_default().push(f);
            for r in f.related.iter().filter(|r| **r != f.subject) {
                involving.entry(r).or_default().push(f);
            }
            code_severity.entry(f.code).or_insert(f.severity);
        }
        Index {
            inventory,
            report,
            service_accounts: inventory
                .service_accounts
                .iter()
                .map(|s| ((s.namespace.as_str(), s.name.as_str()), s))
                .collect(),
            involving,
            code_severity,
        }
    }

    pub fn service_account(&self, namespace: &str, name: &str) -> Option<&'a ServiceAccountInfo> {
        self.service_accounts.get(&(namespace, name)).copied()
    }

    /// The inventory's pod behind the report's `at`-th pod. The report lists the pods in
    /// inventory order, so this is a look at the same position, checked; a scan by name only
    /// if they ever differ (a report that was not made from this inventory).
    pub fn pod(&self, at: usize, namespace: &str, name: &str) -> Option<&'a PodInfo> {
        let pods = &self.inventory.pods;
        let is_it = |p: &PodInfo| &*p.namespace == namespace && p.name == name;
        match pods.get(at) {
            Some(p) if is_it(p) => Some(p),
            _ => pods.iter().find(|p| is_it(p)),
        }
    }

    fn involving(&self, subject: &Subject) -> impl Iterator<Item = &'a Finding> + '_ {
        self.involving.get(subject).into_iter().flatten().copied()
    }

    /// The worst finding about a subject, as (severity, code).
    pub fn worst_about(&self, subject: &Subject) -> Option<(Severity, FindingCode)> {
        self.involving(subject)
            .find(|f| &f.subject == subject)
            .map(|f| (f.severity, f.code))
    }

    /// The severity the report gives a code for this subject, else for any subject.
    pub fn severity_of(&self, code: FindingCode, subject: &Subject) -> Option<Severity> {
        self.involving(subject)
            .find(|f| f.code == code)
            .map(|f| f.severity)
            .or_else(|| self.code_severity.get(&code).copied())
    }

    /// The fix of the worst finding about (or involving) a subject that has one.
    pub fn fix_for(&self, subject: &Subject) -> Option<String> {
        self.involving(subject).find_map(|f| f.fix.clone())
    }

    /// True when a finding with this code is about the subject.
    pub fn has(&self, code: FindingCode, subject: &Subject) -> bool {
        self.involving(subject)
            .any(|f| f.code == code && &f.subject == subject)
    }
}
