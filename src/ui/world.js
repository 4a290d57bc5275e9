// The world: projects, their clusters (state, synchronized names, running task) and IAM directory.
import { api } from './api.js'
import { act, h, keepState } from './dom.js'

/** `1 project`, `2 projects`. */
const count = (n, noun) => `${n} ${noun}${n === 1 ? '' : 's'}`

const list = (names) => names.length === 0 ? h('span', { class: 'muted' }, 'none') : names.join(', ')

function taskCell (projectId, cluster, { refresh }) {
  const task = cluster.sync_task
  if (task === undefined) return h('td', {}, h('span', { class: 'muted' }, 'none'))
  const names = [...task.user_names, ...task.group_names]
  const label = `Complete now: the ${task.kind} task on ${cluster.cluster_id}`
  return h('td', {},
    h('span', { class: `task ${task.kind}` }, `${task.kind} ${names.join(', ') || '(no names)'}, ends ${new Date(task.ends_at).toLocaleString()}`),
    ' ',
    h('button', {
      type: 'button',
      'aria-label': label,
      onclick: () => act(`Completed the task on ${cluster.cluster_id}`, `complete the task on ${cluster.cluster_id}`, async () => {
        const { completed } = await api('POST', `tasks/complete?project_id=${encodeURIComponent(projectId)}&cluster_id=${encodeURIComponent(cluster.cluster_id)}`)
        await refresh()
        if (completed === 0) return `The task on ${cluster.cluster_id} had finished already.`
      })
    }, 'Complete now'))
}

function projectView (project, views) {
  const id = project.project_id
  const clusters = h('table', {},
    h('caption', {}, `Clusters of ${project.name}`),
    h('thead', {}, h('tr', {}, ['Cluster', 'State', 'Synchronized users', 'Synchronized groups', 'Synchronous', 'Running task'].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, project.clusters.map((cluster) => h('tr', { 'data-cluster': cluster.cluster_id },
      h('th', { scope: 'row' }, h('code', {}, cluster.cluster_id)),
      h('td', {}, h('span', { class: `state ${cluster.state}` }, cluster.state)),
      h('td', { class: 'users' }, list(cluster.synced_users)),
      h('td', { class: 'groups' }, list(cluster.synced_groups)),
      h('td', {}, cluster.is_synchronous ? 'yes' : 'no'),
      taskCell(id, cluster, views)))))
  const directory = h('details', { 'data-key': `iam-${id}` },
    h('summary', {}, `IAM directory: ${project.iam.users.length} users, ${project.iam.groups.length} groups`),
    h('ul', {}, project.iam.users.map((user) => h('li', {}, h('strong', {}, user.name), user.groups.length === 0 ? '' : ` (${user.groups.join(', ')})`))),
    h('p', {}, 'Groups: ', list(project.iam.groups)))
  return h('article', { class: 'project', 'data-project': id },
    h('h3', {}, project.name, ' ', h('code', { class: 'muted' }, id)),
    h('button', {
      type: 'button',
      'aria-label': `Reset this project: ${project.name}`,
      onclick: () => act(`Reset project ${project.name}`, `reset project ${project.name}`, async () => {
        await api('POST', `reset?project_id=${encodeURIComponent(id)}`)
        await views.afterReset()
      })
    }, 'Reset this project'),
    // A wide table scrolls in its own box, which the keyboard can reach and scroll.
    project.clusters.length === 0 ? h('p', { class: 'muted' }, 'No clusters.') : h('div', { class: 'scroll', tabindex: 0, role: 'region', 'aria-label': `Clusters of ${project.name}` }, clusters),
    directory)
}

/** Shows the world; `views.refresh` reloads the page's views after an action, `views.afterReset` after a reset. */
export function renderWorld (state, views) {
  const { refresh } = views
  const root = document.getElementById('world')
  const running = state.projects.reduce((n, p) => n + p.clusters.filter((c) => c.sync_task !== undefined).length, 0)
  keepState(root, () => root.replaceChildren(
    h('p', {}, `Account ${state.domain.name}: ${count(state.projects.length, 'project')}, ${count(running, 'running sync task')}. `,
      running === 0
        ? ''
        : h('button', {
          type: 'button',
          onclick: () => act('Completed every running task', 'complete the running tasks', async () => {
            await api('POST', 'tasks/complete')
            await refresh()
          })
        }, 'Complete every task now')),
    ...state.projects.map((project) => projectView(project, views))))
}
