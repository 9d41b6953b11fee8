use super::*;

const GI: u64 = 1 << 30;

/// Guide 002 ("Resource Management", "1. Resource Quotas"), verbatim.
const GUIDE_002: &str = include_str!("fixtures/guide-002-quota.yaml");

/// Guide 000 ("Resource Quotas"), verbatim.
const GUIDE_000: &str = include_str!("fixtures/guide-000-quota.yaml");

fn quota(text: &str) -> (Quota, Vec<String>) {
    let rq = parse_resource_quota(text, Path::new("quota.yaml")).unwrap();
    Quota::from_manifest(&rq).unwrap()
}

fn guide_002() -> Quota {
    quota(GUIDE_002).0
}

/// A pod with every request and limit set: (milli-cores, bytes) each.
fn pod(requests: (u64, u64), limits: (u64, u64)) -> PodRequests {
    PodRequests {
        requests_cpu_millis: Some(requests.0),
        requests_memory_bytes: Some(requests.1),
        limits_cpu_millis: Some(limits.0),
        limits_memory_bytes: Some(limits.1),
    }
}

fn used(requests: (u64, u64), limits: (u64, u64), pods: u64) -> Usage {
    Usage {
        requests_cpu_millis: requests.0,
        requests_memory_bytes: requests.1,
        limits_cpu_millis: limits.0,
        limits_memory_bytes: limits.1,
        pods,
    }
}

fn denial(q: &Quota, u: &Usage, p: &PodRequests) -> String {
    q.admit(u, p).unwrap_err().to_string()
}

#[test]
fn guide_002_quota_parses_verbatim_with_its_four_limits() {
    let (q, warnings) = quota(GUIDE_002);
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(q.name, "compute-resources");
    let limits: Vec<(&str, u64)> = q.hard.iter().map(|h| (h.key.as_str(), h.limit)).collect();
    assert_eq!(
        limits,
        [
            ("limits.cpu", 40_000),
            ("limits.memory", 200 * GI),
            ("requests.cpu", 20_000),
            ("requests.memory", 100 * GI),
        ]
    );
}

#[test]
fn unmodelled_keys_of_guide_000_are_ignored_with_a_warning() {
    let (q, warnings) = quota(GUIDE_000);
    assert_eq!(q.hard.len(), 4);
    assert_eq!(
        warnings,
        [
            "ResourceQuota `dictamesh-quota`: spec.hard.persistentvolumeclaims is not modelled by hpasim and is ignored (only pods' cpu, memory and count are)",
            "ResourceQuota `dictamesh-quota`: spec.hard.requests.storage is not modelled by hpasim and is ignored (only pods' cpu, memory and count are)",
        ]
    );
}

#[test]
fn a_pod_below_every_limit_is_admitted() {
    let u = used((19_000, 90 * GI), (30_000, 150 * GI), 40);
    assert_eq!(
        guide_002().admit(&u, &pod((500, GI), (1000, 2 * GI))),
        Ok(())
    );
}

#[test]
fn usage_reaching_the_limit_exactly_is_admitted() {
    let u = used((19_500, 99 * GI), (39_000, 198 * GI), 40);
    assert_eq!(
        guide_002().admit(&u, &pod((500, GI), (1000, 2 * GI))),
        Ok(())
    );
}

#[test]
fn requests_cpu_over_the_limit_is_denied_with_the_api_servers_message() {
    let u = used((19_800, 0), (0, 0), 0);
    assert_eq!(
        denial(&guide_002(), &u, &pod((500, GI), (1000, GI))),
        "exceeded quota: compute-resources, requested: requests.cpu=500m, used: requests.cpu=19800m, limited: requests.cpu=20"
    );
}

#[test]
fn requests_memory_over_the_limit_is_denied() {
    let u = used((0, 99 * GI), (0, 0), 0);
    assert_eq!(
        denial(&guide_002(), &u, &pod((500, 2 * GI), (500, 2 * GI))),
        "exceeded quota: compute-resources, requested: requests.memory=2Gi, used: requests.memory=99Gi, limited: requests.memory=100Gi"
    );
}

#[test]
fn limits_over_their_quota_are_denied_and_listed_sorted() {
    let u = used((0, 0), (40_000, 199 * GI), 0);
    assert_eq!(
        denial(&guide_002(), &u, &pod((250, 512 << 20), (1500, 1536 << 20))),
        "exceeded quota: compute-resources, requested: limits.cpu=1500m,limits.memory=1536Mi, used: limits.cpu=40,limits.memory=199Gi, limited: limits.cpu=40,limits.memory=200Gi"
    );
}

#[test]
fn a_full_quota_denies_any_further_request() {
    let u = used((20_000, 100 * GI), (0, 0), 0);
    let e = guide_002().admit(&u, &pod((1, 1), (1, 1))).unwrap_err();
    let QuotaDenied::Exceeded { over, .. } = e else {
        panic!("expected Exceeded, got {e:?}");
    };
    let keys: Vec<&str> = over.iter().map(|x| x.key.as_str()).collect();
    assert_eq!(keys, ["requests.cpu", "requests.memory"]);
    assert_eq!(over[1].requested, "1");
}

#[test]
fn the_pod_count_is_limited_by_pods() {
    let (q, _) = quota("apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: few}\nspec:\n  hard: {pods: \"10\"}\n");
    let p = PodRequests::default();
    assert_eq!(q.admit(&used((0, 0), (0, 0), 9), &p), Ok(()));
    assert_eq!(
        denial(&q, &used((0, 0), (0, 0), 10), &p),
        "exceeded quota: few, requested: pods=1, used: pods=10, limited: pods=10"
    );
}

#[test]
fn cpu_and_memory_are_aliases_of_the_requests_named_as_written() {
    let (q, _) = quota(
        "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: quota}\nspec:\n  hard: {cpu: \"4\", memory: 6G, pods: \"10\"}\n",
    );
    let u = used((3_900, 5_500_000_000), (0, 0), 3);
    assert_eq!(
        denial(&q, &u, &pod((200, 1_000_000_000), (0, 0))),
        "exceeded quota: quota, requested: cpu=200m,memory=1G, used: cpu=3900m,memory=5500M, limited: cpu=4,memory=6G"
    );
}

#[test]
fn a_pod_without_a_constrained_resource_must_specify_it() {
    let no_limits = PodRequests {
        requests_cpu_millis: Some(500),
        requests_memory_bytes: Some(GI),
        ..PodRequests::default()
    };
    assert_eq!(
        denial(&guide_002(), &Usage::default(), &no_limits),
        "failed quota: compute-resources: must specify limits.cpu,limits.memory"
    );
    let (q, _) = quota("apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: quota}\nspec:\n  hard: {memory: 6G, cpu: \"4\"}\n");
    assert_eq!(
        denial(&q, &Usage::default(), &PodRequests::default()),
        "failed quota: quota: must specify cpu,memory"
    );
}

#[test]
fn scopes_are_accepted_with_a_warning() {
    let (_, warnings) = quota(
        "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: be}\nspec:\n  hard: {pods: \"5\"}\n  scopes: [BestEffort]\n",
    );
    assert_eq!(
        warnings,
        ["ResourceQuota `be`: spec.scopes is not modelled; the quota applies to every pod"]
    );
}

#[test]
fn wrong_kind_or_api_version_is_reported_at_its_line() {
    let f = Path::new("quota.yaml");
    let e = parse_resource_quota("apiVersion: v1\nkind: LimitRange\n", f).unwrap_err();
    assert_eq!(e.location, "quota.yaml:2:7");
    assert_eq!(e.message, "expected a ResourceQuota, got kind `LimitRange`");
    let e = parse_resource_quota(&GUIDE_002.replace("apiVersion: v1", "apiVersion: v2"), f)
        .unwrap_err();
    assert_eq!(e.location, "quota.yaml:1:13");
    assert_eq!(e.message, "unsupported apiVersion `v2` for ResourceQuota");
}

#[test]
fn an_unknown_spec_field_is_an_error_at_its_line() {
    let text = GUIDE_002.replace("  hard:", "  hrad:");
    let e = parse_resource_quota(&text, Path::new("quota.yaml")).unwrap_err();
    assert!(e.location.starts_with("quota.yaml:6:"), "{e}");
    assert!(e.to_string().contains("hrad"), "{e}");
}

#[test]
fn an_oversized_limit_is_an_error_not_a_panic() {
    let rq = parse_resource_quota(
        "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: q}\nspec:\n  hard: {requests.memory: 100E}\n",
        Path::new("q.yaml"),
    )
    .unwrap();
    let e = Quota::from_manifest(&rq).unwrap_err();
    assert_eq!(e.location, "spec.hard.requests.memory");
    assert!(e.message.contains("too large"));
}
