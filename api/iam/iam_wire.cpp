#include "api/iam/iam_wire.h"

#include <charconv>
#include <functional>
#include <map>
#include <optional>

#include "api/common/query_audit.h"
#include "api/common/query_response.h"
#include "api/common/xml_writer.h"
#include "audit/pending_call.h"
#include "common/time_format.h"

namespace sealstack::api::iam {

namespace {

constexpr std::string_view kIamXmlns = "https://iam.amazonaws.com/doc/2010-05-08/";
constexpr std::string_view kIamVersion = "2010-05-08";

using Params = std::vector<std::pair<std::string, std::string>>;

class IamInput {
 public:
  explicit IamInput(const Params& params) {
    for (const auto& [k, v] : params) values_[k] = v;
  }
  std::optional<std::string> Get(const std::string& name) const {
    auto it = values_.find(name);
    if (it == values_.end()) return std::nullopt;
    return it->second;
  }
  // A required member: ValidationError when absent, as AWS words it.
  Result<std::string> Required(const std::string& name, std::string_view member) const {
    auto v = Get(name);
    if (!v) {
      return IamError(ErrorKind::kValidation, "1 validation error detected: Value null at '" +
                                                  std::string(member) +
                                                  "' failed to satisfy constraint: Member must "
                                                  "not be null");
    }
    return *v;
  }
  Result<std::optional<int64_t>> Int(const std::string& name, std::string_view member) const {
    auto v = Get(name);
    if (!v) return std::optional<int64_t>();
    int64_t n = 0;
    auto [ptr, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
    if (ec != std::errc() || ptr != v->data() + v->size()) {
      return IamError(ErrorKind::kValidation, "1 validation error detected: Value '" + *v +
                                                  "' at '" + std::string(member) +
                                                  "' failed to satisfy constraint: Member must "
                                                  "be a number");
    }
    return std::optional<int64_t>(n);
  }
  // Tags.member.N.Key / .Value, N from 1.
  std::vector<Tag> Tags() const {
    std::vector<Tag> out;
    for (int i = 1;; ++i) {
      const std::string base = "Tags.member." + std::to_string(i);
      auto key = Get(base + ".Key");
      if (!key) break;
      out.push_back({*key, Get(base + ".Value").value_or("")});
    }
    return out;
  }
  ListInput List() const {
    ListInput in;
    in.path_prefix = Get("PathPrefix").value_or("/");
    in.marker = Get("Marker").value_or("");
    return in;
  }

 private:
  std::map<std::string, std::string> values_;
};

std::string Date(SystemTime t) {
  return FormatIso8601(t);
}

void WriteTags(XmlWriter& x, const std::vector<Tag>& tags) {
  if (tags.empty()) return;
  x.Open("Tags");
  for (const Tag& t : tags)
    x.Open("member").Element("Key", t.key).Element("Value", t.value).Close();
  x.Close();
}

void WriteBoundary(XmlWriter& x, const std::optional<std::string>& arn) {
  if (!arn) return;
  x.Open("PermissionsBoundary")
      .Element("PermissionsBoundaryType", "PermissionsBoundaryPolicy")
      .Element("PermissionsBoundaryArn", *arn)
      .Close();
}

// Opens <ELEMENT> with the members every IAM entity starts with: Path, <TYPE>Name, <TYPE>Id,
// Arn and CreateDate (User, Group, Role, InstanceProfile).
template <typename Entity>
XmlWriter& OpenEntity(XmlWriter& x, std::string_view element, std::string_view type,
                      const Entity& e) {
  const std::string t(type);
  return x.Open(element)
      .Element("Path", e.path)
      .Element(t + "Name", e.name)
      .Element(t + "Id", e.id)
      .Element("Arn", e.arn)
      .Element("CreateDate", Date(e.created));
}

void WriteUser(XmlWriter& x, std::string_view element, const User& u) {
  OpenEntity(x, element, "User", u);
  WriteBoundary(x, u.permissions_boundary);
  WriteTags(x, u.tags);
  x.Close();
}

void WriteGroup(XmlWriter& x, std::string_view element, const Group& g) {
  OpenEntity(x, element, "Group", g).Close();
}

void WriteManagedPolicy(XmlWriter& x, std::string_view element, const ManagedPolicy& p) {
  x.Open(element)
      .Element("PolicyName", p.name)
      .Element("PolicyId", p.id)
      .Element("Arn", p.arn)
      .Element("Path", p.path)
      .Element("DefaultVersionId", p.default_version)
      .Element("AttachmentCount", std::to_string(p.attachment_count))
      .Element("PermissionsBoundaryUsageCount", std::to_string(p.boundary_usage_count))
      .Element("IsAttachable", p.attachable ? "true" : "false");
  if (p.description) x.Element("Description", *p.description);
  x.Element("CreateDate", Date(p.created)).Element("UpdateDate", Date(p.updated));
  WriteTags(x, p.tags);
  x.Close();
}

void WritePolicyVersion(XmlWriter& x, std::string_view element, const PolicyVersion& v,
                        bool with_document) {
  x.Open(element);
  if (with_document) x.Element("Document", EncodePolicyDocument(v.document));
  x.Element("VersionId", v.version_id)
      .Element("IsDefaultVersion", v.is_default ? "true" : "false")
      .Element("CreateDate", Date(v.created))
      .Close();
}

void WriteRole(XmlWriter& x, std::string_view element, const Role& r) {
  OpenEntity(x, element, "Role", r)
      .Element("AssumeRolePolicyDocument", EncodePolicyDocument(r.trust_policy));
  if (r.description) x.Element("Description", *r.description);
  x.Element("MaxSessionDuration", std::to_string(r.max_session_duration));
  WriteBoundary(x, r.permissions_boundary);
  WriteTags(x, r.tags);
  x.Close();
}

void WriteInstanceProfile(XmlWriter& x, std::string_view element, const InstanceProfile& p) {
  OpenEntity(x, element, "InstanceProfile", p);
  x.Open("Roles");
  for (const Role& r : p.roles) WriteRole(x, "member", r);
  x.Close();
  WriteTags(x, p.tags);
  x.Close();
}

void WritePaging(XmlWriter& x, bool truncated, const std::string& marker) {
  x.Element("IsTruncated", truncated ? "true" : "false");
  if (truncated) x.Element("Marker", marker);
}

ApiResponse Respond(const std::string& action, const RequestIds& ids,
                    const std::function<void(XmlWriter&)>& result) {
  return QueryResponse(kIamXmlns, action, ids, result);
}

ApiResponse ErrorResponse(const Status& st, const RequestIds& ids) {
  WireError e;
  if (const auto* row = FindRowForDetail(kIamErrors, st.detail())) {
    e.http_status = row->http_status;
    e.code = row->code;
    e.message = st.message();
  } else {
    e = StatusToWire(st, Protocol::kQuery);
  }
  return RenderError(Protocol::kQuery, e, ids);
}

using Handler = std::function<Result<ApiResponse>(Service&, const Caller&, const IamInput&,
                                                  const std::string& action, const RequestIds&)>;

// PathPrefix, Marker and MaxItems of a List operation.
Result<ListInput> ListOf(const IamInput& in) {
  ListInput list = in.List();
  SEALSTACK_ASSIGN_OR_RETURN(list.max_items, in.Int("MaxItems", "maxItems"));
  return list;
}

// A page of a list: <ELEMENT><member>...</member>...</ELEMENT>, IsTruncated and Marker.
template <typename T, typename WriteMember>
ApiResponse PageResponse(const std::string& action, const RequestIds& ids, std::string_view element,
                         const Page<T>& page, const WriteMember& write_member) {
  return Respond(action, ids, [&](XmlWriter& x) {
    x.Open(element);
    for (const T& item : page.items) write_member(x, item);
    x.Close();
    WritePaging(x, page.truncated, page.marker);
  });
}

// A writer of list members from a writer of named elements (WriteUser, WriteRole, ...).
template <typename T>
auto Members(void (*write)(XmlWriter&, std::string_view, const T&)) {
  return [write](XmlWriter& x, const T& item) { write(x, "member", item); };
}

// An operation that names one entity by `param` and answers nothing (DeleteUser, ...).
Handler NamedOp(const std::string& param, const std::string& member,
                Status (Service::*op)(const Caller&, const std::string&)) {
  return
      [param, member, op](Service& s, const Caller& c, const IamInput& in,
                          const std::string& action, const RequestIds& ids) -> Result<ApiResponse> {
        SEALSTACK_ASSIGN_OR_RETURN(std::string name, in.Required(param, member));
        SEALSTACK_RETURN_IF_ERROR((s.*op)(c, name));
        return Respond(action, ids, nullptr);
      };
}

// An operation of two required members that answers nothing (AddUserToGroup, ...).
Handler TwoNamedOp(const std::string& param1, const std::string& member1, const std::string& param2,
                   const std::string& member2,
                   Status (Service::*op)(const Caller&, const std::string&, const std::string&)) {
  return [=](Service& s, const Caller& c, const IamInput& in, const std::string& action,
             const RequestIds& ids) -> Result<ApiResponse> {
    SEALSTACK_ASSIGN_OR_RETURN(std::string first, in.Required(param1, member1));
    SEALSTACK_ASSIGN_OR_RETURN(std::string second, in.Required(param2, member2));
    SEALSTACK_RETURN_IF_ERROR((s.*op)(c, first, second));
    return Respond(action, ids, nullptr);
  };
}

// An operation that names one entity by `param` and answers it as <ELEMENT> (GetRole, ...).
template <typename T>
Handler GetOp(const std::string& param, const std::string& member,
              Result<T> (Service::*get)(const Caller&, const std::string&),
              void (*write)(XmlWriter&, std::string_view, const T&), const std::string& element) {
  return [=](Service& s, const Caller& c, const IamInput& in, const std::string& action,
             const RequestIds& ids) -> Result<ApiResponse> {
    SEALSTACK_ASSIGN_OR_RETURN(std::string name, in.Required(param, member));
    SEALSTACK_ASSIGN_OR_RETURN(T got, (s.*get)(c, name));
    return Respond(action, ids, [&](XmlWriter& x) { write(x, element, got); });
  };
}

// A list of the account's entities by path, one page as <ELEMENT> (ListUsers, ...).
template <typename T>
Handler ListOp(Result<Page<T>> (Service::*list)(const Caller&, const ListInput&),
               void (*write)(XmlWriter&, std::string_view, const T&), const std::string& element) {
  return [=](Service& s, const Caller& c, const IamInput& in, const std::string& action,
             const RequestIds& ids) -> Result<ApiResponse> {
    SEALSTACK_ASSIGN_OR_RETURN(ListInput page_in, ListOf(in));
    SEALSTACK_ASSIGN_OR_RETURN(Page<T> page, (s.*list)(c, page_in));
    return PageResponse(action, ids, element, page, Members(write));
  };
}

// A list of what one entity named by `param` has, one page as <ELEMENT> (ListGroupsForUser, ...).
template <typename T>
Handler ListForOp(const std::string& param, const std::string& member,
                  Result<Page<T>> (Service::*list)(const Caller&, const std::string&,
                                                   const ListInput&),
                  void (*write)(XmlWriter&, std::string_view, const T&),
                  const std::string& element) {
  return [=](Service& s, const Caller& c, const IamInput& in, const std::string& action,
             const RequestIds& ids) -> Result<ApiResponse> {
    SEALSTACK_ASSIGN_OR_RETURN(std::string name, in.Required(param, member));
    SEALSTACK_ASSIGN_OR_RETURN(ListInput page_in, ListOf(in));
    SEALSTACK_ASSIGN_OR_RETURN(Page<T> page, (s.*list)(c, name, page_in));
    return PageResponse(action, ids, element, page, Members(write));
  };
}

// "UserName" | "RoleName" | "GroupName", and the member name validation messages use.
std::string OwnerMemberName(PolicyOwner kind) {
  return std::string(storage::IamPolicyOwnerName(kind)) + "Name";
}

std::string OwnerParam(PolicyOwner kind) {
  std::string p = OwnerMemberName(kind);
  p[0] = static_cast<char>(p[0] - 'a' + 'A');
  return p;
}

ApiResponse Empty(const std::string& action, const RequestIds& ids) {
  return Respond(action, ids, nullptr);
}

// Attach/Detach {User,Role,Group}Policy and ListAttached{User,Role,Group}Policies.
Handler AttachOp(PolicyOwner kind, std::string_view verb) {
  const std::string v(verb);
  return [kind, v](Service& s, const Caller& c, const IamInput& in, const std::string& action,
                   const RequestIds& ids) -> Result<ApiResponse> {
    SEALSTACK_ASSIGN_OR_RETURN(std::string owner,
                               in.Required(OwnerParam(kind), OwnerMemberName(kind)));
    if (v == "List") {
      SEALSTACK_ASSIGN_OR_RETURN(ListInput list, ListOf(in));
      SEALSTACK_ASSIGN_OR_RETURN(Page<AttachedPolicy> page,
                                 s.ListAttachedPolicies(c, kind, owner, list));
      return PageResponse(
          action, ids, "AttachedPolicies", page, [](XmlWriter& x, const AttachedPolicy& p) {
            x.Open("member").Element("PolicyName", p.name).Element("PolicyArn", p.arn).Close();
          });
    }
    SEALSTACK_ASSIGN_OR_RETURN(std::string arn, in.Required("PolicyArn", "policyArn"));
    if (v == "Attach") {
      SEALSTACK_RETURN_IF_ERROR(s.AttachPolicy(c, kind, owner, arn));
    } else {
      SEALSTACK_RETURN_IF_ERROR(s.DetachPolicy(c, kind, owner, arn));
    }
    return Empty(action, ids);
  };
}

// List{User,Role,OpenIDConnectProvider,InstanceProfile}Tags: all tags, one page.
ApiResponse TagsResponse(const std::string& action, const RequestIds& ids,
                         const std::vector<Tag>& tags) {
  return Respond(action, ids, [&](XmlWriter& x) {
    x.Open("Tags");
    for (const Tag& t : tags) {
      x.Open("member").Element("Key", t.key).Element("Value", t.value).Close();
    }
    x.Close();
    WritePaging(x, false, "");
  });
}

// Tag/Untag/List {User,Role} tags.
Handler TagOp(PolicyOwner kind, std::string_view verb) {
  const std::string v(verb);
  return [kind, v](Service& s, const Caller& c, const IamInput& in, const std::string& action,
                   const RequestIds& ids) -> Result<ApiResponse> {
    SEALSTACK_ASSIGN_OR_RETURN(std::string owner,
                               in.Required(OwnerParam(kind), OwnerMemberName(kind)));
    if (v == "Tag") {
      SEALSTACK_RETURN_IF_ERROR(s.TagEntity(c, kind, owner, in.Tags()));
      return Empty(action, ids);
    }
    if (v == "Untag") {
      std::vector<std::string> keys;
      for (int i = 1;; ++i) {
        auto k = in.Get("TagKeys.member." + std::to_string(i));
        if (!k) break;
        keys.push_back(*k);
      }
      SEALSTACK_RETURN_IF_ERROR(s.UntagEntity(c, kind, owner, keys));
      return Empty(action, ids);
    }
    SEALSTACK_ASSIGN_OR_RETURN(std::vector<Tag> tags, s.ListEntityTags(c, kind, owner));
    return TagsResponse(action, ids, tags);
  };
}

// Put/Delete {User,Role}PermissionsBoundary.
Handler BoundaryOp(PolicyOwner kind, bool put) {
  return [kind, put](Service& s, const Caller& c, const IamInput& in, const std::string& action,
                     const RequestIds& ids) -> Result<ApiResponse> {
    SEALSTACK_ASSIGN_OR_RETURN(std::string owner,
                               in.Required(OwnerParam(kind), OwnerMemberName(kind)));
    if (put) {
      SEALSTACK_ASSIGN_OR_RETURN(std::string arn,
                                 in.Required("PermissionsBoundary", "permissionsBoundary"));
      SEALSTACK_RETURN_IF_ERROR(s.PutPermissionsBoundary(c, kind, owner, arn));
    } else {
      SEALSTACK_RETURN_IF_ERROR(s.DeletePermissionsBoundary(c, kind, owner));
    }
    return Empty(action, ids);
  };
}

// Put/Get/Delete/List{User,Role,Group}Policy share their shapes.
Handler PolicyOp(PolicyOwner kind, std::string_view verb) {
  const std::string owner_param = OwnerParam(kind);
  const std::string owner_member = OwnerMemberName(kind);
  const std::string v(verb);
  return [kind, owner_param, owner_member, v](Service& s, const Caller& c, const IamInput& in,
                                              const std::string& action,
                                              const RequestIds& ids) -> Result<ApiResponse> {
    SEALSTACK_ASSIGN_OR_RETURN(std::string owner, in.Required(owner_param, owner_member));
    if (v == "List") {
      SEALSTACK_ASSIGN_OR_RETURN(ListInput list, ListOf(in));
      SEALSTACK_ASSIGN_OR_RETURN(Page<std::string> page, s.ListPolicies(c, kind, owner, list));
      return PageResponse(action, ids, "PolicyNames", page,
                          [](XmlWriter& x, const std::string& n) { x.Element("member", n); });
    }
    SEALSTACK_ASSIGN_OR_RETURN(std::string name, in.Required("PolicyName", "policyName"));
    if (v == "Put") {
      SEALSTACK_ASSIGN_OR_RETURN(std::string doc, in.Required("PolicyDocument", "policyDocument"));
      SEALSTACK_RETURN_IF_ERROR(s.PutPolicy(c, kind, owner, name, doc));
      return Respond(action, ids, nullptr);
    }
    if (v == "Delete") {
      SEALSTACK_RETURN_IF_ERROR(s.DeletePolicy(c, kind, owner, name));
      return Respond(action, ids, nullptr);
    }
    SEALSTACK_ASSIGN_OR_RETURN(auto got, s.GetPolicy(c, kind, owner, name));
    return Respond(action, ids, [&](XmlWriter& x) {
      x.Element(owner_param, got.first)
          .Element("PolicyName", name)
          .Element("PolicyDocument", EncodePolicyDocument(got.second));
    });
  };
}

// Member.N values of a list parameter (ClientIDList.member.1, ...).
std::vector<std::string> ListParam(const IamInput& in, const std::string& name) {
  std::vector<std::string> out;
  for (int i = 1;; ++i) {
    auto v = in.Get(name + ".member." + std::to_string(i));
    if (!v) break;
    out.push_back(std::move(*v));
  }
  return out;
}

// Add/RemoveClientID, UpdateThumbprint, Tag/Untag of an OpenID Connect provider.
Handler OidcChangeOp(OidcChange change) {
  return [change](Service& s, const Caller& c, const IamInput& in, const std::string& action,
                  const RequestIds& ids) -> Result<ApiResponse> {
    SEALSTACK_ASSIGN_OR_RETURN(std::string arn,
                               in.Required("OpenIDConnectProviderArn", "openIDConnectProviderArn"));
    std::vector<std::string> values;
    switch (change) {
      case OidcChange::kAddClientId:
      case OidcChange::kRemoveClientId: {
        SEALSTACK_ASSIGN_OR_RETURN(std::string id, in.Required("ClientID", "clientID"));
        values.push_back(std::move(id));
        break;
      }
      case OidcChange::kSetThumbprints:
        values = ListParam(in, "ThumbprintList");
        break;
      case OidcChange::kUntag:
        values = ListParam(in, "TagKeys");
        break;
      case OidcChange::kTag:
        break;
    }
    SEALSTACK_RETURN_IF_ERROR(s.ChangeOidcProvider(c, change, arn, values, in.Tags()));
    return Empty(action, ids);
  };
}

void WriteStrings(XmlWriter& x, std::string_view element, const std::vector<std::string>& values) {
  x.Open(element);
  for (const std::string& v : values) x.Element("member", v);
  x.Close();
}

// Add/RemoveRoleToInstanceProfile, Tag/UntagInstanceProfile.
Handler ProfileChangeOp(std::string_view verb) {
  const std::string v(verb);
  return [v](Service& s, const Caller& c, const IamInput& in, const std::string& action,
             const RequestIds& ids) -> Result<ApiResponse> {
    SEALSTACK_ASSIGN_OR_RETURN(std::string name,
                               in.Required("InstanceProfileName", "instanceProfileName"));
    if (v == "Tag" || v == "Untag") {
      SEALSTACK_RETURN_IF_ERROR(s.TagInstanceProfile(
          c, name, v == "Tag" ? in.Tags() : std::vector<Tag>(),
          v == "Untag" ? ListParam(in, "TagKeys") : std::vector<std::string>()));
      return Empty(action, ids);
    }
    SEALSTACK_ASSIGN_OR_RETURN(std::string role, in.Required("RoleName", "roleName"));
    SEALSTACK_RETURN_IF_ERROR(s.SetInstanceProfileRole(c, name, role, v == "Add"));
    return Empty(action, ids);
  };
}

const std::map<std::string, Handler, std::less<>>& Handlers() {
  static const auto* handlers = new std::map<std::string, Handler, std::less<>>{
      {"CreateUser",
       [](Service& s, const Caller& c, const IamInput& in, const std::string& action,
          const RequestIds& ids) -> Result<ApiResponse> {
         CreateUserInput u;
         SEALSTACK_ASSIGN_OR_RETURN(u.name, in.Required("UserName", "userName"));
         u.path = in.Get("Path");
         u.tags = in.Tags();
         u.permissions_boundary = in.Get("PermissionsBoundary");
         SEALSTACK_ASSIGN_OR_RETURN(User user, s.CreateUser(c, u));
         return Respond(action, ids, [&](XmlWriter& x) { WriteUser(x, "User", user); });
       }},
      {"GetUser",
       [](Service& s, const Caller& c, const IamInput& in, const std::string& action,
          const RequestIds& ids) -> Result<ApiResponse> {
         SEALSTACK_ASSIGN_OR_RETURN(User user, s.GetUser(c, in.Get("UserName")));
         return Respond(action, ids, [&](XmlWriter& x) { WriteUser(x, "User", user); });
       }},
      {"ListUsers", ListOp<User>(&Service::ListUsers, WriteUser, "Users")},
      {"DeleteUser", NamedOp("UserName", "userName", &Service::DeleteUser)},
      {"CreateRole",
       [](Service& s, const Caller& c, const IamInput& in, const std::string& action,
          const RequestIds& ids) -> Result<ApiResponse> {
         CreateRoleInput r;
         SEALSTACK_ASSIGN_OR_RETURN(r.name, in.Required("RoleName", "roleName"));
         SEALSTACK_ASSIGN_OR_RETURN(
             r.trust_policy, in.Required("AssumeRolePolicyDocument", "assumeRolePolicyDocument"));
         r.path = in.Get("Path");
         r.description = in.Get("Description");
         SEALSTACK_ASSIGN_OR_RETURN(r.max_session_duration,
                                    in.Int("MaxSessionDuration", "maxSessionDuration"));
         r.tags = in.Tags();
         r.permissions_boundary = in.Get("PermissionsBoundary");
         SEALSTACK_ASSIGN_OR_RETURN(Role role, s.CreateRole(c, r));
         return Respond(action, ids, [&](XmlWriter& x) { WriteRole(x, "Role", role); });
       }},
      {"GetRole", GetOp<Role>("RoleName", "roleName", &Service::GetRole, WriteRole, "Role")},
      {"ListRoles", ListOp<Role>(&Service::ListRoles, WriteRole, "Roles")},
      {"DeleteRole", NamedOp("RoleName", "roleName", &Service::DeleteRole)},
      {"UpdateAssumeRolePolicy", TwoNamedOp("RoleName", "roleName", "PolicyDocument",
                                            "policyDocument", &Service::UpdateAssumeRolePolicy)},
      {"CreateGroup",
       [](Service& s, const Caller& c, const IamInput& in, const std::string& action,
          const RequestIds& ids) -> Result<ApiResponse> {
         SEALSTACK_ASSIGN_OR_RETURN(std::string name, in.Required("GroupName", "groupName"));
         SEALSTACK_ASSIGN_OR_RETURN(Group g, s.CreateGroup(c, name, in.Get("Path")));
         return Respond(action, ids, [&](XmlWriter& x) { WriteGroup(x, "Group", g); });
       }},
      {"GetGroup",
       [](Service& s, const Caller& c, const IamInput& in, const std::string& action,
          const RequestIds& ids) -> Result<ApiResponse> {
         SEALSTACK_ASSIGN_OR_RETURN(std::string name, in.Required("GroupName", "groupName"));
         SEALSTACK_ASSIGN_OR_RETURN(ListInput list, ListOf(in));
         SEALSTACK_ASSIGN_OR_RETURN(auto got, s.GetGroup(c, name, list));
         return Respond(action, ids, [&](XmlWriter& x) {
           WriteGroup(x, "Group", got.first);
           x.Open("Users");
           for (const User& u : got.second.items) WriteUser(x, "member", u);
           x.Close();
           WritePaging(x, got.second.truncated, got.second.marker);
         });
       }},
      {"ListGroups", ListOp<Group>(&Service::ListGroups, WriteGroup, "Groups")},
      {"ListGroupsForUser",
       ListForOp<Group>("UserName", "userName", &Service::ListGroupsForUser, WriteGroup, "Groups")},
      {"DeleteGroup", NamedOp("GroupName", "groupName", &Service::DeleteGroup)},
      {"AddUserToGroup",
       TwoNamedOp("GroupName", "groupName", "UserName", "userName", &Service::AddUserToGroup)},
      {"RemoveUserFromGroup",
       TwoNamedOp("GroupName", "groupName", "UserName", "userName", &Service::RemoveUserFromGroup)},
      {"CreatePolicy",
       [](Service& s, const Caller& c, const IamInput& in, const std::string& action,
          const RequestIds& ids) -> Result<ApiResponse> {
         CreatePolicyInput p;
         SEALSTACK_ASSIGN_OR_RETURN(p.name, in.Required("PolicyName", "policyName"));
         SEALSTACK_ASSIGN_OR_RETURN(p.document, in.Required("PolicyDocument", "policyDocument"));
         p.path = in.Get("Path");
         p.description = in.Get("Description");
         p.tags = in.Tags();
         SEALSTACK_ASSIGN_OR_RETURN(ManagedPolicy policy, s.CreateManagedPolicy(c, p));
         return Respond(action, ids,
                        [&](XmlWriter& x) { WriteManagedPolicy(x, "Policy", policy); });
       }},
      {"GetPolicy", GetOp<ManagedPolicy>("PolicyArn", "policyArn", &Service::GetManagedPolicy,
                                         WriteManagedPolicy, "Policy")},
      {"ListPolicies",
       [](Service& s, const Caller& c, const IamInput& in, const std::string& action,
          const RequestIds& ids) -> Result<ApiResponse> {
         SEALSTACK_ASSIGN_OR_RETURN(ListInput list, ListOf(in));
         const std::string scope = in.Get("Scope").value_or("All");
         const bool only_attached = in.Get("OnlyAttached").value_or("false") == "true";
         SEALSTACK_ASSIGN_OR_RETURN(Page<ManagedPolicy> page,
                                    s.ListManagedPolicies(c, list, scope, only_attached));
         return PageResponse(action, ids, "Policies", page, Members(WriteManagedPolicy));
       }},
      {"DeletePolicy", NamedOp("PolicyArn", "policyArn", &Service::DeleteManagedPolicy)},
      {"CreatePolicyVersion",
       [](Service& s, const Caller& c, const IamInput& in, const std::string& action,
          const RequestIds& ids) -> Result<ApiResponse> {
         SEALSTACK_ASSIGN_OR_RETURN(std::string arn, in.Required("PolicyArn", "policyArn"));
         SEALSTACK_ASSIGN_OR_RETURN(std::string doc,
                                    in.Required("PolicyDocument", "policyDocument"));
         const bool set_default = in.Get("SetAsDefault").value_or("false") == "true";
         SEALSTACK_ASSIGN_OR_RETURN(PolicyVersion v,
                                    s.CreatePolicyVersion(c, arn, doc, set_default));
         return Respond(action, ids,
                        [&](XmlWriter& x) { WritePolicyVersion(x, "PolicyVersion", v, false); });
       }},
      {"GetPolicyVersion",
       [](Service& s, const Caller& c, const IamInput& in, const std::string& action,
          const RequestIds& ids) -> Result<ApiResponse> {
         SEALSTACK_ASSIGN_OR_RETURN(std::string arn, in.Required("PolicyArn", "policyArn"));
         SEALSTACK_ASSIGN_OR_RETURN(std::string vid, in.Required("VersionId", "versionId"));
         SEALSTACK_ASSIGN_OR_RETURN(PolicyVersion v, s.GetPolicyVersion(c, arn, vid));
         return Respond(action, ids,
                        [&](XmlWriter& x) { WritePolicyVersion(x, "PolicyVersion", v, true); });
       }},
      {"ListPolicyVersions",
       [](Service& s, const Caller& c, const IamInput& in, const std::string& action,
          const RequestIds& ids) -> Result<ApiResponse> {
         SEALSTACK_ASSIGN_OR_RETURN(std::string arn, in.Required("PolicyArn", "policyArn"));
         SEALSTACK_ASSIGN_OR_RETURN(auto versions, s.ListPolicyVersions(c, arn));
         return Respond(action, ids, [&](XmlWriter& x) {
           x.Open("Versions");
           for (const PolicyVersion& v : versions) WritePolicyVersion(x, "member", v, false);
           x.Close();
           WritePaging(x, false, "");
         });
       }},
      {"DeletePolicyVersion", TwoNamedOp("PolicyArn", "policyArn", "VersionId", "versionId",
                                         &Service::DeletePolicyVersion)},
      {"SetDefaultPolicyVersion", TwoNamedOp("PolicyArn", "policyArn", "VersionId", "versionId",
                                             &Service::SetDefaultPolicyVersion)},
      {"ListEntitiesForPolicy",
       [](Service& s, const Caller& c, const IamInput& in, const std::string& action,
          const RequestIds& ids) -> Result<ApiResponse> {
         SEALSTACK_ASSIGN_OR_RETURN(std::string arn, in.Required("PolicyArn", "policyArn"));
         SEALSTACK_ASSIGN_OR_RETURN(PolicyEntities e, s.ListEntitiesForPolicy(c, arn));
         const std::string filter = in.Get("EntityFilter").value_or("");
         return Respond(action, ids, [&](XmlWriter& x) {
           auto list = [&](const char* element, const char* name_el, const char* id_el,
                           const char* kind, const auto& items) {
             x.Open(element);
             if (filter.empty() || filter == kind) {
               for (const auto& [name, id] : items) {
                 x.Open("member").Element(name_el, name).Element(id_el, id).Close();
               }
             }
             x.Close();
           };
           list("PolicyGroups", "GroupName", "GroupId", "Group", e.groups);
           list("PolicyUsers", "UserName", "UserId", "User", e.users);
           list("PolicyRoles", "RoleName", "RoleId", "Role", e.roles);
           WritePaging(x, false, "");
         });
       }},
      {"CreateOpenIDConnectProvider",
       [](Service& s, const Caller& c, const IamInput& in, const std::string& action,
          const RequestIds& ids) -> Result<ApiResponse> {
         CreateOidcProviderInput p;
         SEALSTACK_ASSIGN_OR_RETURN(p.url, in.Required("Url", "url"));
         p.client_ids = ListParam(in, "ClientIDList");
         p.thumbprints = ListParam(in, "ThumbprintList");
         p.tags = in.Tags();
         SEALSTACK_ASSIGN_OR_RETURN(OidcProvider provider, s.CreateOidcProvider(c, p));
         return Respond(action, ids, [&](XmlWriter& x) {
           x.Element("OpenIDConnectProviderArn", provider.arn);
           WriteTags(x, provider.tags);
         });
       }},
      {"GetOpenIDConnectProvider",
       [](Service& s, const Caller& c, const IamInput& in, const std::string& action,
          const RequestIds& ids) -> Result<ApiResponse> {
         SEALSTACK_ASSIGN_OR_RETURN(
             std::string arn, in.Required("OpenIDConnectProviderArn", "openIDConnectProviderArn"));
         SEALSTACK_ASSIGN_OR_RETURN(OidcProvider p, s.GetOidcProvider(c, arn));
         return Respond(action, ids, [&](XmlWriter& x) {
           x.Element("Url", p.url);
           WriteStrings(x, "ClientIDList", p.client_ids);
           WriteStrings(x, "ThumbprintList", p.thumbprints);
           x.Element("CreateDate", Date(p.created));
           WriteTags(x, p.tags);
         });
       }},
      {"ListOpenIDConnectProviders",
       [](Service& s, const Caller& c, const IamInput&, const std::string& action,
          const RequestIds& ids) -> Result<ApiResponse> {
         SEALSTACK_ASSIGN_OR_RETURN(std::vector<OidcProvider> all, s.ListOidcProviders(c));
         return Respond(action, ids, [&](XmlWriter& x) {
           x.Open("OpenIDConnectProviderList");
           for (const OidcProvider& p : all) x.Open("member").Element("Arn", p.arn).Close();
           x.Close();
         });
       }},
      {"DeleteOpenIDConnectProvider",
       NamedOp("OpenIDConnectProviderArn", "openIDConnectProviderArn",
               &Service::DeleteOidcProvider)},
      {"ListOpenIDConnectProviderTags",
       [](Service& s, const Caller& c, const IamInput& in, const std::string& action,
          const RequestIds& ids) -> Result<ApiResponse> {
         SEALSTACK_ASSIGN_OR_RETURN(
             std::string arn, in.Required("OpenIDConnectProviderArn", "openIDConnectProviderArn"));
         SEALSTACK_ASSIGN_OR_RETURN(OidcProvider p, s.GetOidcProvider(c, arn));
         return TagsResponse(action, ids, p.tags);
       }},
      {"AddClientIDToOpenIDConnectProvider", OidcChangeOp(OidcChange::kAddClientId)},
      {"RemoveClientIDFromOpenIDConnectProvider", OidcChangeOp(OidcChange::kRemoveClientId)},
      {"UpdateOpenIDConnectProviderThumbprint", OidcChangeOp(OidcChange::kSetThumbprints)},
      {"TagOpenIDConnectProvider", OidcChangeOp(OidcChange::kTag)},
      {"UntagOpenIDConnectProvider", OidcChangeOp(OidcChange::kUntag)},
      {"UpdateUser",
       [](Service& s, const Caller& c, const IamInput& in, const std::string& action,
          const RequestIds& ids) -> Result<ApiResponse> {
         SEALSTACK_ASSIGN_OR_RETURN(std::string name, in.Required("UserName", "userName"));
         SEALSTACK_RETURN_IF_ERROR(s.UpdateUser(c, name, in.Get("NewUserName"), in.Get("NewPath")));
         return Empty(action, ids);
       }},
      {"UpdateRole",
       [](Service& s, const Caller& c, const IamInput& in, const std::string& action,
          const RequestIds& ids) -> Result<ApiResponse> {
         SEALSTACK_ASSIGN_OR_RETURN(std::string name, in.Required("RoleName", "roleName"));
         SEALSTACK_ASSIGN_OR_RETURN(auto max, in.Int("MaxSessionDuration", "maxSessionDuration"));
         SEALSTACK_RETURN_IF_ERROR(s.UpdateRole(c, name, in.Get("Description"), max).status());
         return Respond(action, ids, [](XmlWriter&) {});
       }},
      {"UpdateRoleDescription",
       [](Service& s, const Caller& c, const IamInput& in, const std::string& action,
          const RequestIds& ids) -> Result<ApiResponse> {
         SEALSTACK_ASSIGN_OR_RETURN(std::string name, in.Required("RoleName", "roleName"));
         SEALSTACK_ASSIGN_OR_RETURN(std::string description,
                                    in.Required("Description", "description"));
         SEALSTACK_ASSIGN_OR_RETURN(Role role, s.UpdateRole(c, name, description, std::nullopt));
         return Respond(action, ids, [&](XmlWriter& x) { WriteRole(x, "Role", role); });
       }},
      {"GetAccessKeyLastUsed",
       [](Service& s, const Caller& c, const IamInput& in, const std::string& action,
          const RequestIds& ids) -> Result<ApiResponse> {
         SEALSTACK_ASSIGN_OR_RETURN(std::string id, in.Required("AccessKeyId", "accessKeyId"));
         SEALSTACK_ASSIGN_OR_RETURN(AccessKeyLastUsed used, s.GetAccessKeyLastUsed(c, id));
         return Respond(action, ids, [&](XmlWriter& x) {
           x.Element("UserName", used.user_name);
           x.Open("AccessKeyLastUsed");
           if (used.when) x.Element("LastUsedDate", Date(*used.when));
           x.Element("ServiceName", used.service).Element("Region", used.region).Close();
         });
       }},
      {"CreateInstanceProfile",
       [](Service& s, const Caller& c, const IamInput& in, const std::string& action,
          const RequestIds& ids) -> Result<ApiResponse> {
         SEALSTACK_ASSIGN_OR_RETURN(std::string name,
                                    in.Required("InstanceProfileName", "instanceProfileName"));
         SEALSTACK_ASSIGN_OR_RETURN(InstanceProfile p,
                                    s.CreateInstanceProfile(c, name, in.Get("Path"), in.Tags()));
         return Respond(action, ids,
                        [&](XmlWriter& x) { WriteInstanceProfile(x, "InstanceProfile", p); });
       }},
      {"GetInstanceProfile", GetOp<InstanceProfile>("InstanceProfileName", "instanceProfileName",
                                                    &Service::GetInstanceProfile,
                                                    WriteInstanceProfile, "InstanceProfile")},
      {"ListInstanceProfileTags",
       [](Service& s, const Caller& c, const IamInput& in, const std::string& action,
          const RequestIds& ids) -> Result<ApiResponse> {
         SEALSTACK_ASSIGN_OR_RETURN(std::string name,
                                    in.Required("InstanceProfileName", "instanceProfileName"));
         SEALSTACK_ASSIGN_OR_RETURN(InstanceProfile p, s.GetInstanceProfile(c, name));
         return TagsResponse(action, ids, p.tags);
       }},
      {"ListInstanceProfiles", ListOp<InstanceProfile>(&Service::ListInstanceProfiles,
                                                       WriteInstanceProfile, "InstanceProfiles")},
      {"ListInstanceProfilesForRole",
       ListForOp<InstanceProfile>("RoleName", "roleName", &Service::ListInstanceProfilesForRole,
                                  WriteInstanceProfile, "InstanceProfiles")},
      {"DeleteInstanceProfile",
       NamedOp("InstanceProfileName", "instanceProfileName", &Service::DeleteInstanceProfile)},
      {"AddRoleToInstanceProfile", ProfileChangeOp("Add")},
      {"RemoveRoleFromInstanceProfile", ProfileChangeOp("Remove")},
      {"TagInstanceProfile", ProfileChangeOp("Tag")},
      {"UntagInstanceProfile", ProfileChangeOp("Untag")},
      {"AttachUserPolicy", AttachOp(PolicyOwner::kUser, "Attach")},
      {"AttachRolePolicy", AttachOp(PolicyOwner::kRole, "Attach")},
      {"AttachGroupPolicy", AttachOp(PolicyOwner::kGroup, "Attach")},
      {"DetachUserPolicy", AttachOp(PolicyOwner::kUser, "Detach")},
      {"DetachRolePolicy", AttachOp(PolicyOwner::kRole, "Detach")},
      {"DetachGroupPolicy", AttachOp(PolicyOwner::kGroup, "Detach")},
      {"ListAttachedUserPolicies", AttachOp(PolicyOwner::kUser, "List")},
      {"ListAttachedRolePolicies", AttachOp(PolicyOwner::kRole, "List")},
      {"ListAttachedGroupPolicies", AttachOp(PolicyOwner::kGroup, "List")},
      {"PutUserPermissionsBoundary", BoundaryOp(PolicyOwner::kUser, true)},
      {"PutRolePermissionsBoundary", BoundaryOp(PolicyOwner::kRole, true)},
      {"DeleteUserPermissionsBoundary", BoundaryOp(PolicyOwner::kUser, false)},
      {"DeleteRolePermissionsBoundary", BoundaryOp(PolicyOwner::kRole, false)},
      {"TagUser", TagOp(PolicyOwner::kUser, "Tag")},
      {"UntagUser", TagOp(PolicyOwner::kUser, "Untag")},
      {"ListUserTags", TagOp(PolicyOwner::kUser, "List")},
      {"TagRole", TagOp(PolicyOwner::kRole, "Tag")},
      {"UntagRole", TagOp(PolicyOwner::kRole, "Untag")},
      {"ListRoleTags", TagOp(PolicyOwner::kRole, "List")},
      {"PutGroupPolicy", PolicyOp(PolicyOwner::kGroup, "Put")},
      {"GetGroupPolicy", PolicyOp(PolicyOwner::kGroup, "Get")},
      {"DeleteGroupPolicy", PolicyOp(PolicyOwner::kGroup, "Delete")},
      {"ListGroupPolicies", PolicyOp(PolicyOwner::kGroup, "List")},
      {"PutUserPolicy", PolicyOp(PolicyOwner::kUser, "Put")},
      {"GetUserPolicy", PolicyOp(PolicyOwner::kUser, "Get")},
      {"DeleteUserPolicy", PolicyOp(PolicyOwner::kUser, "Delete")},
      {"ListUserPolicies", PolicyOp(PolicyOwner::kUser, "List")},
      {"PutRolePolicy", PolicyOp(PolicyOwner::kRole, "Put")},
      {"GetRolePolicy", PolicyOp(PolicyOwner::kRole, "Get")},
      {"DeleteRolePolicy", PolicyOp(PolicyOwner::kRole, "Delete")},
      {"ListRolePolicies", PolicyOp(PolicyOwner::kRole, "List")},
      {"CreateAccessKey",
       [](Service& s, const Caller& c, const IamInput& in, const std::string& action,
          const RequestIds& ids) -> Result<ApiResponse> {
         SEALSTACK_ASSIGN_OR_RETURN(AccessKey key, s.CreateAccessKey(c, in.Get("UserName")));
         return Respond(action, ids, [&](XmlWriter& x) {
           x.Open("AccessKey")
               .Element("UserName", key.user_name)
               .Element("AccessKeyId", key.access_key_id)
               .Element("Status", key.status)
               .Element("SecretAccessKey", key.secret.view())
               .Element("CreateDate", Date(key.created))
               .Close();
         });
       }},
      {"ListAccessKeys",
       [](Service& s, const Caller& c, const IamInput& in, const std::string& action,
          const RequestIds& ids) -> Result<ApiResponse> {
         SEALSTACK_ASSIGN_OR_RETURN(auto keys, s.ListAccessKeys(c, in.Get("UserName")));
         return Respond(action, ids, [&](XmlWriter& x) {
           x.Open("AccessKeyMetadata");
           for (const AccessKey& k : keys) {
             x.Open("member")
                 .Element("UserName", k.user_name)
                 .Element("AccessKeyId", k.access_key_id)
                 .Element("Status", k.status)
                 .Element("CreateDate", Date(k.created))
                 .Close();
           }
           x.Close();
           WritePaging(x, false, "");
         });
       }},
      {"UpdateAccessKey",
       [](Service& s, const Caller& c, const IamInput& in, const std::string& action,
          const RequestIds& ids) -> Result<ApiResponse> {
         SEALSTACK_ASSIGN_OR_RETURN(std::string id, in.Required("AccessKeyId", "accessKeyId"));
         SEALSTACK_ASSIGN_OR_RETURN(std::string status, in.Required("Status", "status"));
         SEALSTACK_RETURN_IF_ERROR(s.UpdateAccessKey(c, in.Get("UserName"), id, status));
         return Respond(action, ids, nullptr);
       }},
      {"DeleteAccessKey",
       [](Service& s, const Caller& c, const IamInput& in, const std::string& action,
          const RequestIds& ids) -> Result<ApiResponse> {
         SEALSTACK_ASSIGN_OR_RETURN(std::string id, in.Required("AccessKeyId", "accessKeyId"));
         SEALSTACK_RETURN_IF_ERROR(s.DeleteAccessKey(c, in.Get("UserName"), id));
         return Respond(action, ids, nullptr);
       }},
  };
  return *handlers;
}

}  // namespace

std::string EncodePolicyDocument(std::string_view doc) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(doc.size() * 2);
  for (unsigned char ch : doc) {
    const bool unreserved = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
                            (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.' ||
                            ch == '~';
    if (unreserved) {
      out += static_cast<char>(ch);
    } else {
      out += '%';
      out += kHex[ch >> 4];
      out += kHex[ch & 15];
    }
  }
  return out;
}

ApiResponse HandleIamQuery(Service& service, const Caller& caller, const Params& params,
                           const RequestIds& ids, audit::Recorder* recorder) {
  if (recorder != nullptr) {
    const std::string action = IamInput(params).Get("Action").value_or("");
    audit::PendingCall call(
        recorder, QueryEvent(caller, "iam.amazonaws.com", action, "us-east-1", params, ids));
    ApiResponse out = HandleIamQuery(service, caller, params, ids, nullptr);
    FinishQueryCall(call, out);
    return out;
  }
  IamInput in(params);
  const std::string action = in.Get("Action").value_or("");
  const std::string version = in.Get("Version").value_or("");
  if (action.empty()) {
    return RenderError(Protocol::kQuery,
                       {.http_status = 400, .code = "MissingAction", .message = "Missing Action"},
                       ids);
  }
  const auto& handlers = Handlers();
  auto it = handlers.find(action);
  if (it == handlers.end() || (!version.empty() && version != kIamVersion)) {
    return InvalidActionError(action, version, ids);
  }
  Result<ApiResponse> r = it->second(service, caller, in, action, ids);
  if (!r.ok()) return ErrorResponse(r.status(), ids);
  return std::move(*r);
}

}  // namespace sealstack::api::iam
