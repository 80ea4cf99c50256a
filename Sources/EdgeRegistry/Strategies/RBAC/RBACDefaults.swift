import EdgeAPI

/// Upstream's SetDefaults_Subject: a User or Group subject without an apiGroup is in rbac.authorization.k8s.io.
enum RBACDefaults {
    static func subjects(_ obj: inout JSON) {
        guard var subjects = obj["subjects"]?.array else { return }
        for i in subjects.indices where (subjects[i]["apiGroup"]?.string ?? "").isEmpty {
            switch subjects[i]["kind"]?.string {
            case "User", "Group": subjects[i]["apiGroup"] = .string(RBACValidator.group)
            default: break
            }
        }
        obj["subjects"] = .array(subjects)
    }
}
