/** The emulator's read-only Web API methods: who the bot is, users, user groups, channels. */
import { type ApiReply, type Args, fail, ok, str } from "./api-reply.ts";
import type { Workspace } from "./workspace.ts";

export function directoryReply(ws: Workspace, method: string, args: Args): ApiReply | undefined {
  switch (method) {
    case "auth.test":
      return ok({
        url: "https://memops-emulator.slack.com/",
        team: "memops",
        user: "memops",
        team_id: ws.teamId,
        user_id: ws.botUserId,
        bot_id: "B0MEMOPS",
      });
    case "users.info": {
      const u = ws.users.get(str(args["user"]) ?? "");
      return u
        ? ok({
            user: {
              id: u.id,
              name: u.name,
              real_name: u.realName,
              profile: { real_name: u.realName, display_name: u.name },
            },
          })
        : fail("user_not_found");
    }
    case "usergroups.users.list": {
      const g = ws.usergroups.get(str(args["usergroup"]) ?? "");
      return g ? ok({ users: g }) : fail("no_such_subteam");
    }
    case "conversations.info": {
      const c = ws.channels.get(str(args["channel"]) ?? "");
      if (!c || (c.isPrivate && !c.members.has(ws.botUserId))) return fail("channel_not_found");
      return ok({
        channel: { id: c.id, name: c.name, is_private: c.isPrivate, is_member: c.members.has(ws.botUserId) },
      });
    }
    default:
      return undefined;
  }
}
